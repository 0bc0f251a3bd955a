import { describe, expect, it } from 'vitest';
import { topicNames } from '../../schemas/topics.js';
import { CliError, parseCli } from '../../simulator/cli-args.js';

const env = { KAFKA_BROKERS: 'localhost:9092,kafka-2:9093' };

describe('simulate CLI flags', () => {
  it('parses a full command', () => {
    const command = parseCli(
      ['--seed', '7', '--tz', 'Asia/Kolkata', '--start', '2024-11-11T20', '--hours', '2', '--events', '5000', '--share', 'late=0.02', '--share', 'oversized=0', '--speed', '720', '--client', 'kafkajs', '--truth', 'out/t.json'],
      { ...env, TOPIC_PREFIX: 'staging.' },
    );
    expect(command).toEqual({
      simulation: expect.objectContaining({ seed: 7, timeZone: 'Asia/Kolkata', start: '2024-11-11T20', hours: 2, events: 5000, shares: { late: 0.02, oversized: 0 } }),
      pacing: { speed: 720 },
      client: 'kafkajs',
      brokers: ['localhost:9092', 'kafka-2:9093'],
      topics: topicNames('staging.'),
      truthPath: 'out/t.json',
      dryRun: false,
    });
  });

  it('defaults to an unthrottled rdkafka run of the whole day', () => {
    const command = parseCli([], env);
    expect(command).toMatchObject({ pacing: {}, client: 'rdkafka', truthPath: 'truth.json', dryRun: false, simulation: { hours: 24, timeZone: 'Asia/Shanghai' } });
  });

  it.each([
    [['--hours', 'x'], /invalid --hours/],
    [['--hours', '0'], /invalid --hours/],
    [['--tz', 'Mars/Olympus_Mons'], /invalid --tz: not an IANA time zone/],
    [['--start', '11/11/2024'], /invalid --start/],
    [['--share', 'late=2'], /invalid --share late/],
    [['--share', 'typo=0.1'], /invalid --share typo/],
    [['--share', 'late'], /invalid --share "late"/],
    [['--incident-at', '25:00'], /invalid --incident-at/],
    [['--speed', '10', '--rate', '100'], /--speed or --rate, not both/],
    [['--client', 'librdkafka'], /invalid --client/],
    [['--what'], /Unknown option '--what'/],
  ])('rejects %j naming the flag', (argv, message) => {
    expect(() => parseCli(argv, env)).toThrow(CliError);
    expect(() => parseCli(argv, env)).toThrow(message);
  });

  it('needs KAFKA_BROKERS unless it is a dry run', () => {
    expect(() => parseCli([], {})).toThrow(/KAFKA_BROKERS/);
    expect(() => parseCli([], { KAFKA_BROKERS: 'no-port' })).toThrow(/invalid KAFKA_BROKERS/);
    expect(parseCli(['--dry-run'], {})).toMatchObject({ dryRun: true, brokers: [] });
  });

  it('answers --help', () => {
    expect(parseCli(['--help'], {})).toBe('help');
  });
});
