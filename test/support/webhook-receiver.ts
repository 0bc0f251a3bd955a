/** A tiny Alertmanager webhook receiver on loopback that records every notification it gets. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Notification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  /** The URL path it was posted to. */
  path: string;
}

export interface WebhookReceiver {
  url: string;
  notifications: Notification[];
  /** Alerts of `alertname` with `status`, in order of arrival, with the notification they came in. */
  alerts(alertname: string, status: WebhookAlert['status']): { alert: WebhookAlert; notification: Notification }[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: Notification[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      notifications.push({ ...(JSON.parse(body) as Omit<Notification, 'path'>), path: req.url ?? '' });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    notifications,
    alerts: (alertname, status) =>
      notifications.flatMap((notification) => notification.alerts.filter((a) => a.labels.alertname === alertname && a.status === status).map((alert) => ({ alert, notification }))),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
