import { createTransport, type Transporter } from 'nodemailer';
import { DeliveryError, notificationId, type Notification, type Notifier } from './notifier.js';
import { plainText } from './telegram-html.js';

export interface EmailSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
  /** Accept a server certificate no authority vouches for (a test or internal server). */
  readonly allowSelfSigned: boolean;
}

/**
 * Email over SMTP (nodemailer): the notification's first line as the subject, its text as plain
 * text and as HTML, the picture inline in the HTML (cid). A 5xx from the server is permanent (a
 * wrong address, a refused sender); anything else is kept for the next run.
 */
export class EmailNotifier implements Notifier {
  readonly name = 'email';
  private readonly transport: Transporter;

  constructor(private readonly settings: EmailSettings) {
    this.transport = createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
      tls: { rejectUnauthorized: !settings.allowSelfSigned },
      connectionTimeout: 30_000,
      socketTimeout: 60_000,
    });
  }

  async send(notification: Notification, signal: AbortSignal): Promise<void> {
    const text = plainText(notification.text);
    const subject = text.split('\n')[0]?.slice(0, 200) ?? notificationId(notification);
    // Telegram HTML is a small subset of HTML: lines become <br>.
    const body = notification.text.replaceAll('\n', '<br>\n');
    const image = notification.image;
    const html = image ? `${body}<br>\n<img src="cid:picture" alt="${image.filename}">` : body;
    const sending = this.transport.sendMail({
      from: this.settings.from,
      to: [...this.settings.to],
      subject,
      text,
      html,
      messageId: `<${notificationId(notification)}@vigil>`,
      ...(image ? { attachments: [{ filename: image.filename, content: image.png, cid: 'picture' }] } : {}),
    });
    const aborted = new Promise<never>((_, reject) => {
      const stop = () => reject(new DeliveryError('the mail server did not take it within notify.budget', false));
      if (signal.aborted) stop();
      signal.addEventListener('abort', stop, { once: true });
      void sending.finally(() => signal.removeEventListener('abort', stop)).catch(() => undefined);
    });
    try {
      await Promise.race([sending, aborted]);
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      const code = (error as { responseCode?: number }).responseCode;
      const message = error instanceof Error ? error.message : String(error);
      const permanent = code !== undefined && code >= 500;
      if (code === undefined) throw new DeliveryError(`could not reach the mail server (${message})`, false);
      const fix = permanent ? ': check notify.email (from, to, user)' : '';
      throw new DeliveryError(`the mail server refused it (${message})${fix}`, permanent);
    }
  }
}
