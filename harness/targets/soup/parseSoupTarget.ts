import { parseHostPort, type Parsed } from '../../scenario/parseTarget.js';
import type { TargetSpec } from '../../scenario/Scenario.js';
import { splitTargetOptions, type TargetOption } from '../../scenario/targetOptions.js';
import { SOUP_LOGIN } from './soupBinTcp.js';

/**
 * `soup://host:port,messages=file.yaml[,user=U,password=P]`: a SoupBinTCP 3.00 order-entry port
 * and the message-set file (docs/SOUP.md) its messages follow. Every problem at once; messages do
 * not name the flag. (Called by parseTargetFlag; parseHostPort is only used at call time, so the
 * two modules importing each other is safe.)
 */
export function parseSoupTarget(text: string): Parsed<Extract<TargetSpec, { kind: 'soup' }>> {
  const { main, options } = splitTargetOptions(text);
  return soupTarget(main.slice('soup://'.length).replace(/\/$/, ''), options,
    `"${text}" names no message set: add ,messages=file.yaml (e.g. targets/soup/ouch42.yaml)`);
}

/**
 * A soup target from its `host:port` and options (messages, user, password), as the string form
 * and a scenario's `target:` map give them; `noMessages` is the message when messages is missing.
 * Every problem at once; a password is never quoted.
 */
export function soupTarget(hostPort: string, options: readonly TargetOption[], noMessages: string): Parsed<Extract<TargetSpec, { kind: 'soup' }>> {
  const problems: string[] = [];
  const orderEntry = parseHostPort(hostPort);
  if (!orderEntry.ok) problems.push(...orderEntry.problems);
  let messages: string | undefined;
  let username: string | undefined;
  let password: string | undefined;
  for (const { key, value, shown } of options) {
    if (value === '' || !['messages', 'user', 'password'].includes(key)) {
      problems.push(`unknown option "${shown}" (soup:// options: messages=file.yaml, user=name, password=secret)`);
      continue;
    }
    if (key === 'messages') messages = value;
    else if (key === 'user') username = value;
    else password = value;
  }
  if (messages === undefined) problems.push(noMessages);
  if (username !== undefined && (username.length > SOUP_LOGIN.username || !/^[\x21-\x7e]+$/.test(username))) {
    problems.push(`user "${username}": a SoupBinTCP username is 1 to ${SOUP_LOGIN.username} printable ASCII characters`);
  }
  if (password !== undefined && (password.length > SOUP_LOGIN.password || !/^[\x21-\x7e]+$/.test(password))) {
    problems.push(`password: a SoupBinTCP password is 1 to ${SOUP_LOGIN.password} printable ASCII characters`);
  }
  if (!orderEntry.ok || messages === undefined || problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { kind: 'soup', orderEntry: orderEntry.value, messages, marketData: null,
    ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) } };
}
