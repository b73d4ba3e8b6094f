/** Escapes text for Telegram's HTML parse mode (only &, < and > are special there). */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The length Telegram counts for a message in HTML mode: the text without tags and entities. */
export function visibleLength(html: string): number {
  return html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#\d+);/g, '_').length;
}

/**
 * Splits HTML text into messages of at most `limit` visible characters, at line breaks (vigil's
 * messages open and close every tag on one line, so a split never cuts a tag in two). A single
 * line longer than the limit is cut at the limit, tags removed.
 */
export function splitMessage(html: string, limit = 4096): string[] {
  const parts: string[] = [];
  let current = '';
  for (const line of html.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (visibleLength(candidate) <= limit) {
      current = candidate;
      continue;
    }
    if (current !== '') parts.push(current);
    if (visibleLength(line) <= limit) {
      current = line;
      continue;
    }
    const plain = unescapeHtml(line.replace(/<[^>]*>/g, ''));
    for (let i = 0; i < plain.length; i += limit) parts.push(escapeHtml(plain.slice(i, i + limit)));
    current = '';
  }
  if (current !== '') parts.push(current);
  return parts;
}

function unescapeHtml(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** Telegram HTML as a terminal shows it: tags dropped, entities restored. */
export function plainText(html: string): string {
  return (
    html
      // A link keeps its address: "Dashboard: https://…".
      .replace(
        /<a href="([^"]*)">([^<]*)<\/a>/g,
        (_, href: string, label: string) => `${label}: ${href.replaceAll('&quot;', '"')}`,
      )
      .replace(/<[^>]*>/g, '')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&')
  );
}
