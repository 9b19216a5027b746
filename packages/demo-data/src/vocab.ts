/** Word lists for the demo CRM dataset. Weighted lists are `[value, weight]` pairs for `Random.weighted`. */

export type Sex = 'female' | 'male';
/** A Chinese name part: characters (for full_name) and toneless pinyin (for e-mail and handles). */
export type Hanzi = readonly [characters: string, pinyin: string];

export const CN_FAMILY_NAMES: readonly Hanzi[] = [
  ['王', 'wang'],
  ['李', 'li'],
  ['张', 'zhang'],
  ['刘', 'liu'],
  ['陈', 'chen'],
  ['杨', 'yang'],
  ['黄', 'huang'],
  ['赵', 'zhao'],
  ['吴', 'wu'],
  ['周', 'zhou'],
  ['徐', 'xu'],
  ['孙', 'sun'],
  ['马', 'ma'],
  ['朱', 'zhu'],
  ['胡', 'hu'],
  ['郭', 'guo'],
  ['何', 'he'],
  ['高', 'gao'],
  ['林', 'lin'],
  ['罗', 'luo'],
  ['郑', 'zheng'],
  ['梁', 'liang'],
  ['谢', 'xie'],
  ['宋', 'song'],
  ['唐', 'tang'],
  ['韩', 'han'],
  ['冯', 'feng'],
  ['邓', 'deng'],
  ['曹', 'cao'],
  ['彭', 'peng'],
  ['曾', 'zeng'],
  ['萧', 'xiao'],
  ['田', 'tian'],
  ['董', 'dong'],
  ['潘', 'pan'],
  ['袁', 'yuan'],
];

export const CN_GIVEN_NAMES: Readonly<Record<Sex, readonly Hanzi[]>> = {
  female: [
    ['娜', 'na'],
    ['静', 'jing'],
    ['丽', 'li'],
    ['敏', 'min'],
    ['婷', 'ting'],
    ['芳', 'fang'],
    ['雪', 'xue'],
    ['颖', 'ying'],
    ['琳', 'lin'],
    ['欣怡', 'xinyi'],
    ['梓涵', 'zihan'],
    ['雨桐', 'yutong'],
    ['思琪', 'siqi'],
    ['佳怡', 'jiayi'],
    ['晓燕', 'xiaoyan'],
    ['美玲', 'meiling'],
    ['诗涵', 'shihan'],
    ['慧敏', 'huimin'],
    ['秀英', 'xiuying'],
    ['若曦', 'ruoxi'],
    ['可馨', 'kexin'],
    ['梦瑶', 'mengyao'],
  ],
  male: [
    ['伟', 'wei'],
    ['强', 'qiang'],
    ['磊', 'lei'],
    ['军', 'jun'],
    ['洋', 'yang'],
    ['勇', 'yong'],
    ['杰', 'jie'],
    ['涛', 'tao'],
    ['明', 'ming'],
    ['超', 'chao'],
    ['浩然', 'haoran'],
    ['子轩', 'zixuan'],
    ['宇航', 'yuhang'],
    ['俊杰', 'junjie'],
    ['志强', 'zhiqiang'],
    ['建华', 'jianhua'],
    ['文博', 'wenbo'],
    ['天佑', 'tianyou'],
    ['博文', 'bowen'],
    ['一鸣', 'yiming'],
    ['嘉豪', 'jiahao'],
    ['振宇', 'zhenyu'],
  ],
};

export const WESTERN_FIRST_NAMES: Readonly<Record<Sex, readonly string[]>> = {
  female: [
    'Emma',
    'Olivia',
    'Sophie',
    'Charlotte',
    'Mia',
    'Hannah',
    'Laura',
    'Chloe',
    'Grace',
    'Anna',
    'Isabella',
    'Emily',
    'Lena',
    'Julia',
    'Sarah',
    'Amelia',
    'Zoe',
    'Rachel',
    'Clara',
    'Nina',
  ],
  male: [
    'James',
    'Oliver',
    'Lucas',
    'Noah',
    'Liam',
    'Ethan',
    'Daniel',
    'Max',
    'Jonas',
    'Thomas',
    'William',
    'Benjamin',
    'Samuel',
    'Felix',
    'Leon',
    'Jack',
    'Henry',
    'David',
    'Ryan',
    'Adam',
  ],
};

export const WESTERN_LAST_NAMES: readonly string[] = [
  'Smith',
  'Johnson',
  'Brown',
  'Taylor',
  'Wilson',
  'Miller',
  'Davies',
  'Evans',
  'Thomas',
  'Walker',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Wagner',
  'Becker',
  'Anderson',
  'Clark',
  'Lewis',
  'Robinson',
  'Wright',
  'Hughes',
  'Martin',
  "O'Brien",
  'Kelly',
  'Nguyen',
  'Tan',
  'Lim',
];

export const JAPANESE_FIRST_NAMES: Readonly<Record<Sex, readonly string[]>> = {
  female: ['Sakura', 'Yui', 'Hina', 'Aoi', 'Emi', 'Yuki', 'Mio', 'Rin'],
  male: ['Haruto', 'Ren', 'Sota', 'Kenji', 'Takumi', 'Daiki', 'Hiroshi', 'Kaito'],
};

export const JAPANESE_LAST_NAMES: readonly string[] = [
  'Tanaka',
  'Suzuki',
  'Sato',
  'Takahashi',
  'Watanabe',
  'Ito',
  'Yamamoto',
  'Nakamura',
  'Kobayashi',
  'Kato',
];

/** Cities with their ISO 3166-1 alpha-2 country; the weight is the share within that country. */
export const CITIES: readonly { name: string; country: string; weight: number }[] = [
  { name: 'Shanghai', country: 'CN', weight: 14 },
  { name: 'Beijing', country: 'CN', weight: 13 },
  { name: 'Shenzhen', country: 'CN', weight: 10 },
  { name: 'Guangzhou', country: 'CN', weight: 9 },
  { name: 'Hangzhou', country: 'CN', weight: 8 },
  { name: 'Chengdu', country: 'CN', weight: 7 },
  { name: 'Nanjing', country: 'CN', weight: 5 },
  { name: 'Wuhan', country: 'CN', weight: 5 },
  { name: 'Suzhou', country: 'CN', weight: 4 },
  { name: "Xi'an", country: 'CN', weight: 4 },
  { name: 'Chongqing', country: 'CN', weight: 4 },
  { name: 'Tianjin', country: 'CN', weight: 3 },
  { name: 'Xiamen', country: 'CN', weight: 2 },
  { name: 'Qingdao', country: 'CN', weight: 2 },
  { name: 'Changsha', country: 'CN', weight: 2 },
  { name: 'Kunming', country: 'CN', weight: 1 },
  { name: 'Singapore', country: 'SG', weight: 1 },
  { name: 'Hong Kong', country: 'HK', weight: 1 },
  { name: 'San Francisco', country: 'US', weight: 3 },
  { name: 'New York', country: 'US', weight: 4 },
  { name: 'Los Angeles', country: 'US', weight: 2 },
  { name: 'Seattle', country: 'US', weight: 1 },
  { name: 'London', country: 'GB', weight: 4 },
  { name: 'Manchester', country: 'GB', weight: 1 },
  { name: 'Berlin', country: 'DE', weight: 3 },
  { name: 'Munich', country: 'DE', weight: 2 },
  { name: 'Tokyo', country: 'JP', weight: 3 },
  { name: 'Osaka', country: 'JP', weight: 1 },
  { name: 'Sydney', country: 'AU', weight: 3 },
  { name: 'Melbourne', country: 'AU', weight: 2 },
];

/** Where customers live: by name origin, the weight of each country. */
export const COUNTRY_WEIGHTS: Readonly<Record<'chinese' | 'international', readonly (readonly [string, number])[]>> = {
  chinese: [
    ['CN', 92],
    ['SG', 3],
    ['US', 2],
    ['HK', 1],
    ['AU', 1],
    ['GB', 1],
  ],
  international: [
    ['CN', 20],
    ['US', 22],
    ['GB', 15],
    ['DE', 13],
    ['SG', 10],
    ['AU', 10],
    ['JP', 10],
  ],
};

/**
 * Mobile numbering per country: national significant numbers are a prefix plus random digits up to
 * `nationalLength`; each format writes them as customers type them, `#` standing for the next digit.
 * Every prefix here yields numbers that libphonenumber-js accepts as valid.
 */
export interface PhonePlan {
  countryCode: string;
  prefixes: readonly string[];
  nationalLength: number;
  formats: readonly string[];
}

export const PHONE_PLANS: Readonly<Record<string, PhonePlan>> = {
  CN: {
    countryCode: '86',
    prefixes: [
      '130',
      '131',
      '132',
      '133',
      '134',
      '135',
      '136',
      '137',
      '138',
      '139',
      '150',
      '151',
      '152',
      '153',
      '155',
      '156',
      '157',
      '158',
      '159',
      '180',
      '181',
      '182',
      '183',
      '185',
      '186',
      '187',
      '188',
      '189',
      '191',
      '198',
      '199',
    ],
    nationalLength: 11,
    formats: ['###########', '### #### ####', '+86 ###-####-####', '0086 ###########', '(+86)###########', '+86###########'],
  },
  SG: {
    countryCode: '65',
    prefixes: ['81', '82', '83', '87', '88', '90', '91', '93', '96', '97', '98'],
    nationalLength: 8,
    formats: ['+65 #### ####', '+65########', '(+65) ####-####'],
  },
  HK: { countryCode: '852', prefixes: ['61', '94'], nationalLength: 8, formats: ['+852 #### ####', '+852########'] },
  US: {
    countryCode: '1',
    prefixes: ['415555', '212555', '646555', '310555', '206555', '617555'],
    nationalLength: 10,
    formats: ['+1 (###) ###-####', '+1 ###-###-####', '+1##########', '+1.###.###.####'],
  },
  GB: {
    countryCode: '44',
    prefixes: ['74', '75', '78'],
    nationalLength: 10,
    formats: ['+44 #### ######', '+44##########', '+44 (0)#### ######'],
  },
  DE: {
    countryCode: '49',
    prefixes: ['151', '152', '170', '171', '176'],
    nationalLength: 11,
    formats: ['+49 ### ########', '+49 (0)### ########', '0049 ### ########'],
  },
  JP: { countryCode: '81', prefixes: ['80'], nationalLength: 10, formats: ['+81 ##-####-####', '+81 ## #### ####'] },
  AU: {
    countryCode: '61',
    prefixes: ['40', '41', '42', '43'],
    nationalLength: 9,
    formats: ['+61 ### ### ###', '+61#########', '+61 ###-###-###'],
  },
};

export const CN_EMAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ['qq.com', 30],
  ['163.com', 20],
  ['126.com', 8],
  ['sina.com', 5],
  ['foxmail.com', 5],
  ['gmail.com', 10],
  ['outlook.com', 6],
  ['hotmail.com', 3],
  ['icloud.com', 6],
];

export const INTL_EMAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ['gmail.com', 35],
  ['outlook.com', 15],
  ['yahoo.com', 10],
  ['icloud.com', 12],
  ['hotmail.com', 8],
  ['proton.me', 3],
];

/** Local providers some customers of a country use instead of an international one. */
export const COUNTRY_EMAIL_DOMAINS: Readonly<Record<string, readonly string[]>> = {
  SG: ['singnet.com.sg'],
  GB: ['btinternet.com', 'sky.com'],
  DE: ['gmx.de', 'web.de', 't-online.de'],
  JP: ['yahoo.co.jp', 'docomo.ne.jp'],
  AU: ['bigpond.com', 'optusnet.com.au'],
  US: ['comcast.net', 'aol.com'],
};

export const SOCIAL_PLATFORMS: Readonly<Record<'chinese' | 'international', readonly (readonly [string, number])[]>> = {
  chinese: [
    ['wechat', 30],
    ['weibo', 25],
    ['douyin', 20],
    ['xiaohongshu', 20],
    ['instagram', 3],
    ['x', 2],
  ],
  international: [
    ['instagram', 45],
    ['x', 40],
    ['weibo', 5],
    ['xiaohongshu', 5],
    ['wechat', 5],
  ],
};

export const OCCUPATIONS: readonly string[] = [
  'software engineer',
  'teacher',
  'nurse',
  'designer',
  'student',
  'accountant',
  'sales manager',
  'doctor',
  'lawyer',
  'civil servant',
  'entrepreneur',
  'marketing specialist',
  'retired',
  'freelancer',
  'product manager',
  'chef',
  'architect',
  'researcher',
  'photographer',
  'financial analyst',
];

/** Product categories: brands, item names and the price range in whole yuan. */
export interface Category {
  name: string;
  brands: readonly string[];
  items: readonly string[];
  priceYuan: readonly [min: number, max: number];
}

export const CATEGORIES: readonly Category[] = [
  {
    name: 'skincare',
    priceYuan: [59, 899],
    brands: ['Lumière', 'Herbalis', 'Aqua Bloom', 'Baicao', 'Pure Lotus'],
    items: [
      'Hydrating Serum',
      'Night Repair Cream',
      'Gentle Cleanser',
      'Sunscreen SPF50',
      'Toner',
      'Eye Cream',
      'Sheet Mask Set',
      'Vitamin C Essence',
    ],
  },
  {
    name: 'makeup',
    priceYuan: [39, 499],
    brands: ['Rouge Atelier', 'Huaxi', 'Velvet & Co', 'Peony Studio'],
    items: ['Matte Lipstick', 'Cushion Foundation', 'Eyeshadow Palette', 'Mascara', 'Setting Powder', 'Brow Pencil', 'Blush Duo'],
  },
  {
    name: 'outdoor',
    priceYuan: [99, 2999],
    brands: ['Summit Trail', 'Kailas Peak', 'Northwind', 'Camel Ridge'],
    items: ['Hiking Boots', 'Down Jacket', 'Trekking Poles', '2-Person Tent', 'Sleeping Bag', 'Daypack 30L', 'Rain Shell'],
  },
  {
    name: 'electronics',
    priceYuan: [99, 6999],
    brands: ['Novatek', 'Xinghe', 'Pulse Audio', 'Lumen'],
    items: [
      'Wireless Earbuds',
      'Smartwatch',
      'Bluetooth Speaker',
      'Power Bank 20000mAh',
      'Tablet 11"',
      'Noise-Cancelling Headphones',
      'Action Camera',
    ],
  },
  {
    name: 'apparel',
    priceYuan: [49, 1299],
    brands: ['Urban Thread', 'Mianmian', 'Nordic Knit', 'Silk Road Label'],
    items: ['Cotton T-Shirt', 'Wool Sweater', 'Slim Jeans', 'Trench Coat', 'Linen Shirt', 'Silk Scarf', 'Hoodie'],
  },
  {
    name: 'home',
    priceYuan: [29, 1999],
    brands: ['Casa Calm', 'Muji-ya', 'Hearth & Oak', 'Jiayuan'],
    items: ['Ceramic Dinner Set', 'Linen Bedding Set', 'Aroma Diffuser', 'Cast Iron Pot', 'Desk Lamp', 'Storage Baskets', 'Air Purifier'],
  },
  {
    name: 'baby',
    priceYuan: [19, 899],
    brands: ['Little Sprout', 'Bao Bei', 'Cuddle Cloud'],
    items: ['Diapers Pack', 'Baby Formula 800g', 'Stroller Blanket', 'Teething Toy', 'Baby Carrier', 'Bottle Set', 'Baby Lotion'],
  },
  {
    name: 'books',
    priceYuan: [19, 199],
    brands: ['Zhonghua Press', 'Lantern Books', 'Open Page'],
    items: [
      'Cookbook',
      'Travel Guide',
      'Mystery Novel',
      'Children’s Picture Book',
      'Business Classic',
      'Poetry Anthology',
      'Language Course',
    ],
  },
  {
    name: 'sports',
    priceYuan: [39, 1999],
    brands: ['Stride', 'Li-Feng', 'Apex Motion', 'Court King'],
    items: ['Running Shoes', 'Yoga Mat', 'Badminton Racket', 'Fitness Tracker', 'Basketball', 'Gym Shorts', 'Cycling Helmet'],
  },
  {
    name: 'food',
    priceYuan: [9, 299],
    brands: ['Golden Harvest', 'Three Squirrels', 'Tea Garden', 'Ocean Table'],
    items: ['Oolong Tea', 'Mixed Nuts', 'Dried Mango', 'Drip Coffee Box', 'Mooncake Gift Box', 'Instant Noodles 12-Pack', 'Honey Jar'],
  },
];

export const TICKET_SUBJECTS: readonly string[] = [
  'Where is my order?',
  'Refund not received',
  'Wrong size delivered',
  'Item arrived damaged',
  'Change delivery address',
  'Cannot log in to the app',
  'Coupon not applied at checkout',
  'Invoice request',
  'Question about product ingredients',
  'Membership points missing',
  'Please cancel my order',
  'Charged twice for one order',
  'Missing item in parcel',
  'Return pickup did not come',
  'Warranty claim',
  'Unsubscribe from marketing messages',
  'Update my phone number',
  'Delete my account data',
];
