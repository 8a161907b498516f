/**
 * A console-like process for the mail tests: sends one message with the real mail service and
 * prints what happened. MAIL_MODE=queue records it, prints `queued <id>` and stays up (the test
 * kills it mid-delivery, as a crash would); MAIL_MODE=send waits for the attempt, prints
 * `result <json>` and exits. Its logs go to stdout, where the test looks for leaked secrets.
 */
import { closeDb } from '@/db';
import { queueMail, sendMail } from '@/lib/mail/send';

const message = { to: process.env.MAIL_TO!, subject: 'From a child process', text: 'Hello from the child.', kind: 'test' };

if (process.env.MAIL_MODE === 'queue') {
  const { id } = await queueMail(message);
  console.log(`queued ${id}`);
  setInterval(() => {}, 60_000);
} else {
  const result = await sendMail(message);
  console.log(`result ${JSON.stringify(result)}`);
  await closeDb();
  process.exit(0);
}
