/**
 * Deterministic social accounts for a generated CRM, as the bundled provider serves them
 * (contracts/social.md). Contract: the same (dataset, seed, now) always yields the same accounts; one
 * account per CRM identity of kind `social` (`platform:handle`) except about 10% that the provider does
 * not know (deleted or mistyped accounts); posts are dated within the 365 days before `now`, never after
 * it, newest first; sentiment is in [-1, 1]. Posts that mention the brand are dated within two days after
 * one of the customer's completed orders (anywhere in the year for customers without one), so the
 * lifecycle stages the CRM was generated for still hold when brand mentions count as activity (as
 * events.ts does for behaviour). Their sentiment leans on what the CRM says about the customer: badly
 * rated or open tickets and refunds pull it down, frequent buying lifts it.
 */
import type { SocialAccountData, SocialPost } from '@c360/social-provider';
import type { CrmDataset } from './rows';
import { Random } from '@c360/social-provider';

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/** The retailer the posts talk about. */
const BRAND = { zh: '悦选', en: 'Yuexuan' } as const;
type Lang = keyof typeof BRAND;
type Tone = 'positive' | 'neutral' | 'negative';
type Aspect = 'delivery' | 'price' | 'quality' | 'service' | 'packaging' | 'refund';

const CHINESE_PLATFORMS = new Set(['weibo', 'wechat', 'douyin', 'xiaohongshu']);

const PROFILE_URLS: Record<string, (handle: string) => string> = {
  weibo: (h) => `https://weibo.com/${h}`,
  wechat: (h) => `https://weixin.qq.com/r/${h}`,
  douyin: (h) => `https://www.douyin.com/user/${h}`,
  xiaohongshu: (h) => `https://www.xiaohongshu.com/user/profile/${h}`,
  x: (h) => `https://x.com/${h}`,
  instagram: (h) => `https://www.instagram.com/${h}/`,
};

const CATEGORY_ZH: Record<string, string> = {
  skincare: '护肤',
  makeup: '彩妆',
  outdoor: '户外',
  electronics: '数码',
  apparel: '穿搭',
  home: '家居',
  baby: '母婴',
  books: '读书',
  sports: '运动',
  food: '美食',
};

const ASPECTS: Record<Tone, readonly (readonly [Aspect, number])[]> = {
  positive: [
    ['quality', 4],
    ['delivery', 3],
    ['price', 2],
    ['service', 2],
    ['packaging', 1],
  ],
  neutral: [
    ['delivery', 2],
    ['price', 2],
    ['quality', 2],
    ['service', 1],
    ['packaging', 1],
  ],
  negative: [
    ['delivery', 3],
    ['quality', 3],
    ['service', 3],
    ['price', 2],
    ['packaging', 1],
    ['refund', 2],
  ],
};

/** What the post says about an aspect of the purchase, per language and tone. */
const ASPECT_PHRASES: Record<Lang, Record<Tone, Partial<Record<Aspect, readonly string[]>>>> = {
  zh: {
    positive: {
      quality: ['质量很好，做工细致', '品质真的没话说', '用了一周效果很明显'],
      delivery: ['物流超快，隔天就到了', '发货速度惊人', '快递小哥很给力'],
      price: ['价格很实惠，活动力度大', '性价比超高', '比别家便宜不少'],
      service: ['客服很耐心，问题很快解决了', '售后服务态度很好'],
      packaging: ['包装很用心', '包装精致，送人也合适'],
    },
    neutral: {
      quality: ['质量还可以，没什么惊喜', '跟描述差不多'],
      delivery: ['物流还行，按时到了', '快递三天到'],
      price: ['价格中规中矩', '趁活动买的，价格一般'],
      service: ['客服回复得不快不慢'],
      packaging: ['包装很普通'],
    },
    negative: {
      quality: ['质量一般，用了两天就坏了', '和图片差太多了', '做工粗糙'],
      delivery: ['快递太慢了，等了一个多星期', '物流信息一直不更新', '发错货了'],
      price: ['太贵了，比别家贵不少', '刚买完就降价了'],
      service: ['客服一直不回复，体验很差', '投诉了三次都没人处理'],
      packaging: ['包装破损，东西都压坏了'],
      refund: ['退款到现在还没到账', '退货申请一直被拒'],
    },
  },
  en: {
    positive: {
      quality: ['quality is excellent, really well made', 'works even better than I expected', 'after a week the difference is obvious'],
      delivery: ['delivery was super fast, arrived the next day', 'shipped within hours'],
      price: ['great value, the discount was real', 'cheaper than anywhere else I checked'],
      service: ['customer service was patient and sorted my question in minutes', 'the support team was lovely'],
      packaging: ['lovely packaging', 'beautifully wrapped, perfect as a gift'],
    },
    neutral: {
      quality: ['it is fine, nothing special', 'pretty much as described'],
      delivery: ['delivery took the usual three days', 'arrived on time'],
      price: ['price is okay-ish', 'bought it in the sale, price was average'],
      service: ['support answered eventually'],
      packaging: ['plain packaging'],
    },
    negative: {
      quality: ['quality is poor, it broke after two days', 'looks nothing like the photos', 'cheaply made'],
      delivery: ['delivery took over a week', 'tracking has not updated in days', 'they sent the wrong item'],
      price: ['way overpriced compared to other shops', 'the price dropped the day after I bought it'],
      service: ['customer service never got back to me', 'three complaints and still no answer'],
      packaging: ['the box arrived crushed'],
      refund: ['still waiting for my refund', 'my return request keeps getting rejected'],
    },
  },
};

const OPENERS: Record<Lang, readonly string[]> = {
  zh: [
    `在@${BRAND.zh} 买的{product}收到了`,
    `刚拿到${BRAND.zh}的{product}`,
    `${BRAND.zh}这次的{product}`,
    `晒一下在${BRAND.zh}入手的{product}`,
  ],
  en: [
    `Just got my {product} from @${BRAND.en}`,
    `Tried the {product} I ordered from ${BRAND.en}`,
    `Update on the {product} from @${BRAND.en}`,
  ],
};

/** Openers for customers without a completed order. */
const WINDOW_SHOPPING: Record<Lang, readonly string[]> = {
  zh: [`逛了一圈@${BRAND.zh} 的{product}`, `种草了${BRAND.zh}的{product}`, `在${BRAND.zh}看了好久{product}`],
  en: [`Browsing the {product} range at @${BRAND.en}`, `Thinking about the {product} at ${BRAND.en}`],
};

const CLOSERS: Record<Lang, Record<Tone, readonly string[]>> = {
  zh: {
    positive: ['会回购！', '推荐给大家～', '👍👍', '真心不错。', '姐妹们冲！'],
    neutral: ['先用几天再来反馈。', '大家觉得怎么样？', '还在观望。'],
    negative: ['不会再买了。', '有点失望。', `@${BRAND.zh} 能不能给个说法？`, '差评。', '心累。'],
  },
  en: {
    positive: ['Will buy again!', 'Highly recommend.', 'Love it.', '10/10'],
    neutral: ['Will report back.', 'Anyone else tried it?', 'Not sure yet.'],
    negative: ['Not impressed.', `@${BRAND.en} please sort this out.`, 'Never again.', 'So disappointed.'],
  },
};

/** Posts that do not mention the brand: everyday life, or the customer's interests. */
const LIFE_TOPICS: readonly (readonly [string, number])[] = [
  ['travel', 3],
  ['food', 3],
  ['fitness', 2],
  ['pets', 2],
  ['movies', 2],
  ['work', 2],
  ['music', 1],
  ['photography', 1],
  ['family', 2],
  ['interest', 4],
];

const LIFE_TEXTS: Record<Lang, Record<string, readonly string[]>> = {
  zh: {
    travel: ['周末去{city}走走，天气真好', '终于到{city}了，先去吃顿好的', '旅行的意义就是换个地方发呆'],
    food: ['今天做了红烧肉，成功！', '楼下新开的火锅店太好吃了', '早餐：豆浆油条，满足'],
    fitness: ['晨跑5公里打卡', '健身第30天，坚持就是胜利', '今天瑜伽课好累'],
    pets: ['我家猫又把杯子推下桌了', '带狗子去公园，玩疯了'],
    movies: ['刚看完一部电影，后劲好大', '周末追剧中，有推荐吗'],
    work: ['又加班到十点', '周一综合症', '项目终于上线了，撒花'],
    music: ['单曲循环一整天', '今晚的演唱会太燃了'],
    photography: ['随手拍，{city}的晚霞', '新买的镜头试拍一下'],
    family: ['陪爸妈吃饭，很开心', '孩子今天第一次自己骑车'],
    interest: ['最近在研究{category}，有什么推荐吗', '分享一下我的{category}心得', '{category}好物清单更新了'],
  },
  en: {
    travel: ['Weekend in {city}, the weather is perfect', 'Finally made it to {city}!', 'Airport again. Where to next?'],
    food: ['Made dumplings from scratch today', 'New ramen place around the corner is amazing', 'Sunday brunch done right'],
    fitness: ['Morning 5k done', 'Day 30 at the gym, still going', 'Yoga class destroyed me today'],
    pets: ['The cat knocked my mug off the desk again', 'Took the dog to the park, she loved it'],
    movies: ['Just watched a film I cannot stop thinking about', 'Any series recommendations for the weekend?'],
    work: ['Another late night at the office', 'Mondays...', 'Shipped the project today!'],
    music: ['This album on repeat all day', 'What a concert last night'],
    photography: ['Sunset over {city}', 'Testing my new lens'],
    family: ['Dinner with my parents tonight', 'Kid rode a bike alone for the first time'],
    interest: ['Deep into {category} lately, any tips?', 'My {category} favourites this month', 'Updated my {category} wishlist'],
  },
};

/** What the CRM says about one customer, as far as their posts are concerned. */
interface CustomerFacts {
  fullName: string;
  chinese: boolean;
  city: string | null;
  /** Completed orders placed in the last 364 days: time and the category of their first item. */
  anchors: { at: number; category: string; product: string }[];
  /** Categories the customer bought, most bought first. */
  interests: string[];
  /** Completed orders in the trailing 365 days, and ever. */
  recentOrders: number;
  orders: number;
  badTickets: number;
  openTickets: number;
  refunds: number;
}

const CJK = /[\u4e00-\u9fff]/;

function customerFacts(dataset: CrmDataset, now: number): Map<string, CustomerFacts> {
  const product = new Map(dataset.products.map((p) => [p.id, p]));
  const firstItem = new Map<string, string>();
  for (const it of dataset.order_items) if (!firstItem.has(it.order_id)) firstItem.set(it.order_id, it.product_id);
  const facts = new Map<string, CustomerFacts>();
  for (const c of dataset.customers) {
    facts.set(c.id, {
      fullName: c.full_name,
      chinese: CJK.test(c.full_name),
      city: c.city,
      anchors: [],
      interests: [],
      recentOrders: 0,
      orders: 0,
      badTickets: 0,
      openTickets: 0,
      refunds: 0,
    });
  }
  const bought = new Map<string, Map<string, number>>();
  for (const o of dataset.orders) {
    const f = facts.get(o.customer_id);
    if (!f) continue;
    if (o.status === 'refunded') f.refunds += 1;
    if (o.status !== 'completed') continue;
    const at = o.placed_at.getTime();
    if (at > now) continue;
    const p = product.get(firstItem.get(o.id) ?? '');
    f.orders += 1;
    if (now - at <= YEAR_MS) f.recentOrders += 1;
    if (p && now - at < YEAR_MS - DAY_MS) f.anchors.push({ at, category: p.category, product: p.name });
    if (p) {
      const counts = bought.get(o.customer_id) ?? new Map<string, number>();
      counts.set(p.category, (counts.get(p.category) ?? 0) + 1);
      bought.set(o.customer_id, counts);
    }
  }
  for (const [id, counts] of bought) {
    const f = facts.get(id);
    if (f) f.interests = [...counts].sort((a, b) => b[1] - a[1]).map(([category]) => category);
  }
  for (const t of dataset.support_tickets) {
    const f = facts.get(t.customer_id);
    if (!f || t.opened_at.getTime() > now) continue;
    if (t.satisfaction !== null && t.satisfaction <= 2) f.badTickets += 1;
    if (t.status === 'open' || t.status === 'pending') f.openTickets += 1;
  }
  return facts;
}

/** Where the customer's brand sentiment centres, in [-0.85, 0.85]. */
function mood(f: CustomerFacts): number {
  const loyalty = f.recentOrders >= 6 ? 0.35 : f.recentOrders >= 3 ? 0.2 : 0;
  const grievance = 0.3 * Math.min(f.badTickets, 2) + 0.12 * Math.min(f.openTickets, 2) + 0.1 * Math.min(f.refunds, 2);
  return clamp(0.15 + loyalty - grievance, -0.85, 0.85);
}

const clamp = (x: number, min: number, max: number): number => Math.min(max, Math.max(min, x));
const round2 = (x: number): number => Math.round(x * 100) / 100 || 0;

/** A standard normal draw (Box–Muller). */
function normal(rng: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
}

function logNormal(rng: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
}

function displayName(rng: Random, f: CustomerFacts): string {
  if (f.chinese) {
    const given = f.fullName.slice(1);
    return rng.pick([
      f.fullName,
      given.length === 1 ? given + given : given,
      `小${given.slice(-1)}`,
      `${given}的日常`,
      `${f.fullName}${rng.pick(['🌸', '✨', '🍀'])}`,
    ]);
  }
  const [first = f.fullName, ...rest] = f.fullName.split(' ');
  const last = rest.join(' ');
  return rng.pick([f.fullName, first, last ? `${first} ${last.charAt(0)}.` : first, f.city ? `${first} in ${f.city}` : `${first} ✨`]);
}

export interface SocialSeedOptions {
  seed: number;
  now: Date;
}

/** Accounts for the dataset's social identities; see the module comment for the contract. */
export function generateSocialAccounts(dataset: CrmDataset, opts: SocialSeedOptions): SocialAccountData[] {
  const rng = new Random(opts.seed ^ 0x50c1a1);
  const now = opts.now.getTime();
  const facts = customerFacts(dataset, now);
  const allCategories = [...new Set(dataset.products.map((p) => p.category))];
  const seen = new Set<string>();
  const postIds = new Set<string>();
  const accounts: SocialAccountData[] = [];

  for (const identity of dataset.customer_identities) {
    if (identity.kind !== 'social') continue;
    const colon = identity.value.indexOf(':');
    const f = facts.get(identity.customer_id);
    const unknown = rng.chance(0.1);
    if (colon <= 0 || colon === identity.value.length - 1 || !f) continue;
    const platform = identity.value.slice(0, colon).toLowerCase();
    const key = identity.value.toLowerCase();
    if (unknown || seen.has(key)) continue;
    seen.add(key);

    const stored = identity.value.slice(colon + 1);
    const handle = /^[a-z]/.test(stored) && rng.chance(0.15) ? stored.charAt(0).toUpperCase() + stored.slice(1) : stored;
    const lang: Lang = f.chinese
      ? CHINESE_PLATFORMS.has(platform) || rng.chance(0.5)
        ? 'zh'
        : 'en'
      : CHINESE_PLATFORMS.has(platform) && rng.chance(0.5)
        ? 'zh'
        : 'en';
    const followers = Math.min(20_000_000, Math.round(logNormal(rng, 250, 1.7)));
    const verified = rng.chance(followers >= 100_000 ? 0.7 : followers >= 10_000 ? 0.3 : followers >= 2_000 ? 0.05 : 0.01);
    const following = Math.min(7500, Math.round(logNormal(rng, 180, 0.9)));
    const profileUrl = PROFILE_URLS[platform] ?? ((h: string) => `https://${platform}.com/${h}`);

    const count = rng.chance(0.12) ? 0 : Math.min(40, Math.round(40 * rng.float() ** 1.8));
    const centre = mood(f);
    const interests = f.interests.length > 0 ? f.interests : [rng.pick(allCategories)];
    const posts: { at: number; post: SocialPost }[] = [];
    for (let n = 0; n < count; n++) {
      const brandAllowed = f.anchors.length > 0 || f.orders === 0;
      const anchor = f.anchors.length > 0 ? rng.pick(f.anchors) : undefined;
      const mentionsBrand = brandAllowed && rng.chance(0.33);
      let at: number;
      let text: string;
      let topics: string[];
      let sentiment: number;
      if (mentionsBrand) {
        // Within two days after a completed order (never after now), or anywhere for customers without one.
        at = anchor ? anchor.at + Math.floor(rng.float() * Math.min(2 * DAY_MS, now - anchor.at)) : now - rng.int(60, 364 * 86_400) * 1000;
        const category = anchor?.category ?? rng.pick(interests);
        const productName = anchor?.product ?? (lang === 'zh' ? (CATEGORY_ZH[category] ?? category) : category);
        sentiment = round2(clamp(centre + 0.3 * normal(rng), -1, 1));
        const tone: Tone = sentiment > 0.2 ? 'positive' : sentiment < -0.2 ? 'negative' : 'neutral';
        // Someone who never bought talks about prices and service; a refund only comes up after one.
        const aspect = rng.weighted(
          ASPECTS[tone].filter(([a]) => (anchor || a === 'price' || a === 'service') && (a !== 'refund' || f.refunds > 0)),
        );
        const phrase = rng.pick(ASPECT_PHRASES[lang][tone][aspect] ?? ['']);
        const opener = fill(rng.pick((anchor ? OPENERS : WINDOW_SHOPPING)[lang]), { product: productName });
        const closer = rng.pick(CLOSERS[lang][tone]);
        const tag = rng.chance(0.4) ? (lang === 'zh' ? ` #${CATEGORY_ZH[category] ?? category}#` : ` #${category}`) : '';
        text = lang === 'zh' ? `${opener}，${phrase}，${closer}${tag}` : `${opener}: ${phrase}. ${closer}${tag}`;
        topics = [category, aspect];
      } else {
        at = now - rng.int(60, 364 * 86_400) * 1000;
        const topic = rng.weighted(LIFE_TOPICS);
        const category = rng.chance(0.8) ? rng.pick(interests) : rng.pick(allCategories);
        const categoryWord = lang === 'zh' ? (CATEGORY_ZH[category] ?? category) : category;
        text = fill(rng.pick(LIFE_TEXTS[lang][topic] ?? ['']), {
          city: f.city ?? (lang === 'zh' ? '海边' : 'the coast'),
          category: categoryWord,
        });
        topics = topic === 'interest' ? [category] : [topic];
        sentiment = round2(clamp((topic === 'work' ? -0.1 : 0.25) + 0.3 * normal(rng), -1, 1));
      }
      // Engagement scales with the audience; complaints draw more comments and shares.
      const reach = followers * logNormal(rng, 0.02, 0.8);
      const likes = Math.round(reach) + rng.int(0, 3);
      const heat = mentionsBrand && sentiment < -0.2 ? 2 : 1;
      let id: string;
      do id = `p_${rng.hex(16)}`;
      while (postIds.has(id));
      postIds.add(id);
      posts.push({
        at,
        post: {
          id,
          postedAt: new Date(at).toISOString(),
          text,
          likes,
          shares: Math.round(likes * heat * rng.float() * 0.15),
          comments: Math.round(likes * heat * rng.float() * 0.25),
          mentionsBrand,
          sentiment,
          topics,
        },
      });
    }
    posts.sort((a, b) => b.at - a.at);
    accounts.push({
      platform,
      handle,
      displayName: displayName(rng, f),
      url: profileUrl(encodeURIComponent(handle)),
      followers,
      following,
      verified,
      posts: posts.map((p) => p.post),
    });
  }
  return accounts;
}
