import type { SocialResolvers } from '../src/__generated__/resolvers-types';
import { Source } from '../src/enums';
import { checkSocialDays as days, checkSocialFirst as first } from '../src/services/social';
import { engagement, recentPosts, sentiment, topics } from '../src/sources/social/summaries';

export const Social: SocialResolvers = {
  engagement: (p, a) => engagement(p.accounts, p.now, days(a.days)),
  sentiment: (p, a) => sentiment(p.accounts, p.now, days(a.days)),
  topics: (p, a) => topics(p.accounts, p.now, days(a.days), first(a.first)),
  recentPosts: (p, a) => recentPosts(p.accounts, p.now, first(a.first)),
  meta: (p) => ({ source: Source.SOCIAL, asOf: p.now, fetchedAt: p.fetchedAt, cached: p.cached, now: p.now }),
};
