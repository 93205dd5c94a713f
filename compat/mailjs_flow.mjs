// The published JavaScript client @cemalgnlts/mailjs, run unchanged against `temp-inbox serve`.
// compat/run.py runs this with node from a scratch folder where the package is installed. The only
// change is configuration the client offers: its baseUrl and baseMercure properties point at the
// local server. The mail is received through the client's own hub listener (Mercure over SSE), as
// its users do. Prints one JSON object: the steps and how each went.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import Mailjs from "@cemalgnlts/mailjs";

const API = process.env.COMPAT_API;
const steps = [];

function report(code) {
  console.log(JSON.stringify({ steps }));
  process.exit(code);
}

async function step(name, body) {
  const started = Date.now();
  try {
    const value = await body();
    steps.push({ step: name, ok: true, ms: Date.now() - started });
    return value;
  } catch (error) {
    steps.push({ step: name, ok: false, detail: String(error).slice(0, 300) });
    report(1);
  }
}

function ok(result, what) {
  if (!result || !result.status) throw new Error(`${what}: HTTP ${result?.statusCode} ${result?.message}`);
  return result.data;
}

function within(ms, what, promise) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} after ${ms} ms`)), ms)),
  ]);
}

// The mail goes in through the server's SMTP intake; Python's smtplib does the talking.
function sendMail(to) {
  const subject = `Compat check ${randomBytes(4).toString("hex")}`;
  const code = String(100000 + (randomBytes(3).readUIntBE(0, 3) % 900000));
  const script = [
    "import os, smtplib, sys",
    "from email.message import EmailMessage",
    "m = EmailMessage(); m['From'] = 'Compat <compat@example.test>'; m['To'] = sys.argv[1]",
    "m['Subject'] = sys.argv[2]; m.set_content('Your verification code is ' + sys.argv[3] + '.')",
    "host, port = os.environ['COMPAT_SMTP'].rsplit(':', 1)",
    "smtplib.SMTP(host, int(port), timeout=30).send_message(m)",
  ].join("\n");
  execFileSync(process.env.COMPAT_PYTHON, ["-c", script, to, subject, code]);
  return { subject, code };
}

const mailjs = new Mailjs();
mailjs.baseUrl = API;
mailjs.baseMercure = `${API}/.well-known/mercure`;
const password = `Pw-${randomBytes(9).toString("base64url")}`;

const address = await step("create", async () => {
  const domain = ok(await mailjs.getDomains(), "domains")[0].domain;
  const wanted = `compat${randomBytes(4).toString("hex")}@${domain}`;
  return ok(await mailjs.register(wanted, password), "register").address;
});
await step("login", async () => ok(await mailjs.login(address, password), "login"));
// "open" first: the client takes an open callback only with the call that creates its listener.
const opened = new Promise((resolve) => mailjs.on("open", resolve));
const arrived = new Promise((resolve) => mailjs.on("arrive", resolve));
await step("hub open", () => within(15000, "hub connection", opened));
const { subject, code } = sendMail(address);
const pushed = await step("receive", async () => {
  const message = await within(30000, "pushed message", arrived);
  if (message.subject !== subject) throw new Error(`pushed ${message.subject}, sent ${subject}`);
  return message;
});
await step("read", async () => {
  const full = ok(await mailjs.getMessage(pushed.id), "message");
  if (!full.text.includes(code)) throw new Error(`no code in ${full.text}`);
});
await step("seen", async () => {
  ok(await mailjs.setMessageSeen(pushed.id, true), "seen");
  if (!ok(await mailjs.getMessage(pushed.id), "message").seen) throw new Error("not seen");
});
await step("source", async () => {
  const source = ok(await mailjs.getSource(pushed.id), "source");
  if (!source.data.includes(subject)) throw new Error("the source lacks the subject");
});
await step("delete message", async () => {
  ok(await mailjs.deleteMessage(pushed.id), "delete");
  const left = ok(await mailjs.getMessages(), "messages");
  if (left.some((m) => m.id === pushed.id)) throw new Error("still listed");
});
await step("delete account", async () => ok(await mailjs.deleteMe(), "delete account"));
report(0);
