import { parseHostPort, type Parsed } from '../../scenario/parseTarget.js';
import type { TargetSpec } from '../../scenario/Scenario.js';
import { SOUP_LOGIN } from './soupBinTcp.js';

/**
 * `soup://host:port,messages=file.yaml[,user=U,password=P]`: a SoupBinTCP 3.00 order-entry port
 * and the message-set file (docs/SOUP.md) its messages follow. Every problem at once; messages do
 * not name the flag. (Called by parseTargetFlag; parseHostPort is only used at call time, so the
 * two modules importing each other is safe.)
 */
export function parseSoupTarget(text: string): Parsed<Extract<TargetSpec, { kind: 'soup' }>> {
  const [main = '', ...options] = text.trim().split(',');
  const problems: string[] = [];
  const orderEntry = parseHostPort(main.slice('soup://'.length).replace(/\/$/, ''));
  if (!orderEntry.ok) problems.push(...orderEntry.problems);
  let messages: string | undefined;
  let username: string | undefined;
  let password: string | undefined;
  for (const option of options) {
    const at = option.indexOf('=');
    const key = at < 0 ? option : option.slice(0, at);
    const value = at < 0 ? undefined : option.slice(at + 1);
    if (value === undefined || value === '' || !['messages', 'user', 'password'].includes(key)) {
      problems.push(`unknown option "${option}" (soup:// options: messages=file.yaml, user=name, password=secret)`);
      continue;
    }
    if (key === 'messages') messages = value;
    else if (key === 'user') username = value;
    else password = value;
  }
  if (messages === undefined) problems.push(`"${text}" names no message set: add ,messages=file.yaml (e.g. targets/soup/ouch42.yaml)`);
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
