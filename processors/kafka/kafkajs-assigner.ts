/**
 * kafkajs's round-robin partition assigner, adapted to the embedded broker (librdkafka's mock cluster)
 * and to the stream consumer's revoke rule.
 *
 * 1. Leader delay. The mock completes a SyncGroup round as soon as the leader's request (carrying every
 *    member's assignment) arrives; a follower whose own SyncGroup comes later gets INVALID_REQUEST,
 *    which kafkajs treats as fatal: the consumer stops, and its member lingers in the group for a
 *    session timeout because the mock misreads kafkajs's LeaveGroup. The assigner only runs on the
 *    leader, right before its SyncGroup, so holding it briefly lets the followers' requests arrive
 *    first. Against a real broker the delay costs 300 ms per rebalance and nothing else.
 *
 * 2. Join hold. Before every JoinGroup kafkajs looks up the group coordinator on the consumer's own
 *    cluster object (`findGroupCoordinator`, the first step of each join attempt, whatever led to it:
 *    REBALANCE_IN_PROGRESS from a heartbeat, UNKNOWN_MEMBER_ID, stale metadata, a restart after a
 *    crash). kafkajs has no rebalance listener, so `beforeJoin` is hooked in there: the join waits until
 *    it resolves. The stream consumer revokes its partitions in it, so `onRevoked` has completed before
 *    the coordinator can hand them to another member (within the rebalance timeout; the mock ends a
 *    join phase session timeout - 1 s after it began). The assigner factory is the one place kafkajs
 *    hands out that cluster object, and each consumer has a cluster of its own, so nothing else waits.
 *
 * Every member of a group must use this assigner (same protocol name as kafkajs's roundRobin, so a
 * plain kafkajs member still interoperates).
 */
import { PartitionAssigners, type PartitionAssigner } from 'kafkajs';

/** How long the leader holds its assignment so that followers' SyncGroup requests reach the mock first. */
export const LEADER_SYNC_DELAY_MS = 300;

export interface FollowerFirstRoundRobinOptions {
  /** @default LEADER_SYNC_DELAY_MS */
  leaderDelayMs?: number;
  /** Awaited before each join attempt of the consumer using this assigner. */
  beforeJoin?: () => Promise<void>;
}

type KafkaJsCluster = Parameters<PartitionAssigner>[0]['cluster'];
const heldClusters = new WeakSet<KafkaJsCluster>();

function holdJoins(cluster: KafkaJsCluster, beforeJoin: () => Promise<void>): void {
  if (heldClusters.has(cluster)) return;
  heldClusters.add(cluster);
  const findGroupCoordinator = cluster.findGroupCoordinator.bind(cluster);
  cluster.findGroupCoordinator = async (group) => {
    await beforeJoin();
    return findGroupCoordinator(group);
  };
}

export function createFollowerFirstRoundRobin(options: FollowerFirstRoundRobinOptions = {}): PartitionAssigner {
  const { leaderDelayMs = LEADER_SYNC_DELAY_MS, beforeJoin } = options;
  return (config) => {
    if (beforeJoin) holdJoins(config.cluster, beforeJoin);
    const roundRobin = PartitionAssigners.roundRobin(config);
    return {
      ...roundRobin,
      assign: async (group) => {
        await new Promise((resolve) => setTimeout(resolve, leaderDelayMs));
        return roundRobin.assign(group);
      },
    };
  };
}

/** The assigner without a join hook, for plain kafkajs consumers (tests, tools). */
export const followerFirstRoundRobin: PartitionAssigner = createFollowerFirstRoundRobin();
