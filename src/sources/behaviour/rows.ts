import type { ObjectId } from 'mongodb';

/** An event as contracts/behaviour.md stores it (fields the API reads). */
export interface EventDoc {
  _id: ObjectId;
  customerId?: string | null;
  anonymousId?: string | null;
  deviceId?: string | null;
  sessionId: string;
  type: string;
  ts: Date;
  channel: string;
  device?: { type?: string; os?: string; model?: string } | null;
  category?: string;
  productId?: string;
  query?: string;
  properties?: Record<string, unknown>;
}

export interface EventCountRow {
  type: string;
  count: number;
}
export interface DeviceRow {
  type: string | null;
  os: string | null;
  model: string | null;
  lastSeenAt: Date;
}
export interface ChannelRow {
  channel: string;
  events: number;
}
export interface CategoryRow {
  category: string;
  events: number;
}
export interface SearchRow {
  query: string;
  at: Date;
}
