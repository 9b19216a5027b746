import { SentimentLabel } from '../../enums';
import type { SocialAccount, SocialPost } from './contract';

/**
 * What the Social fields report, computed from the accounts' posts. Pure: `now` is the request's
 * clock and a window of `days` keeps posts after now − days (and none after now).
 */

export type PostOf = SocialPost & { platform: string; handle: string };

const postsOf = (accounts: SocialAccount[]): PostOf[] =>
  accounts.flatMap((a) => a.posts.map((p) => ({ ...p, platform: a.platform, handle: a.handle })));

function within(accounts: SocialAccount[], now: Date, days: number): PostOf[] {
  const from = now.getTime() - days * 86_400_000;
  return postsOf(accounts).filter((p) => p.postedAt.getTime() > from && p.postedAt.getTime() <= now.getTime());
}

export function engagement(accounts: SocialAccount[], now: Date, days: number) {
  const posts = within(accounts, now, days);
  const sum = (f: (p: PostOf) => number) => posts.reduce((total, p) => total + f(p), 0);
  return {
    posts: posts.length,
    brandMentions: posts.filter((p) => p.mentionsBrand).length,
    likes: sum((p) => p.likes),
    shares: sum((p) => p.shares),
    comments: sum((p) => p.comments),
  };
}

/** NEGATIVE < -0.2 ≤ NEUTRAL ≤ 0.2 < POSITIVE. */
export const sentimentLabel = (score: number): SentimentLabel =>
  score < -0.2 ? SentimentLabel.NEGATIVE : score > 0.2 ? SentimentLabel.POSITIVE : SentimentLabel.NEUTRAL;

/** Mean sentiment of the brand-mentioning posts of the window; null score and label without any. */
export function sentiment(accounts: SocialAccount[], now: Date, days: number) {
  const mentions = within(accounts, now, days).filter((p) => p.mentionsBrand);
  if (mentions.length === 0) return { score: null, label: null, mentions: 0 };
  const score = mentions.reduce((total, p) => total + p.sentiment, 0) / mentions.length;
  return { score, label: sentimentLabel(score), mentions: mentions.length };
}

/** Topics by number of posts of the window, most frequent first, ties by name. */
export function topics(accounts: SocialAccount[], now: Date, days: number, first: number) {
  const counts = new Map<string, number>();
  for (const post of within(accounts, now, days)) for (const topic of new Set(post.topics)) counts.set(topic, (counts.get(topic) ?? 0) + 1);
  return [...counts]
    .map(([topic, posts]) => ({ topic, posts }))
    .sort((a, b) => b.posts - a.posts || a.topic.localeCompare(b.topic))
    .slice(0, first);
}

/** The latest posts of every account up to now, newest first (ties by id). */
export function recentPosts(accounts: SocialAccount[], now: Date, first: number): PostOf[] {
  return postsOf(accounts)
    .filter((p) => p.postedAt.getTime() <= now.getTime())
    .sort((a, b) => b.postedAt.getTime() - a.postedAt.getTime() || a.id.localeCompare(b.id))
    .slice(0, first);
}
