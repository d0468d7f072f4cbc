/** The broker URL without user name and password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    // Not a URL the parser takes: show the scheme only rather than risk a password.
    return url.replace(/^([a-z]+:\/\/).*$/i, '$1…');
  }
}
