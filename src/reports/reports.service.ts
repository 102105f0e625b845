import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import { ForbiddenError, NotFoundError, ValidationError } from '../common/errors/domain-errors';
import { ReportFolder } from './report-folder';
import { GRAIN, isTimeZone, resolveRange } from './report-range';
import type {
  Audience,
  GmvReport,
  ProductLine,
  Sales,
  StreamReport,
  StreamRowReport,
  StreamSummary,
} from './report-views';
import { ALL, ReportsRepository, type StreamRow, type Totals } from './reports.repository';

export interface GmvQuery {
  from?: string;
  to?: string;
  granularity?: string;
  streamId?: string;
  productId?: string;
  currency?: string;
  merchantId?: string;
}

const ZERO: Totals = { gmvCents: 0, paidCents: 0, refundedCents: 0, orders: 0, units: 0, buyers: 0 };

function salesOf(t: Totals): Sales {
  return {
    gmvCents: t.gmvCents,
    paidCents: t.paidCents,
    netCents: t.paidCents - t.refundedCents,
    orders: t.orders,
    units: t.units,
    buyers: t.buyers,
  };
}

function audienceOf(t: Totals, viewers: { peak: number; unique: number }): Audience {
  return {
    aovCents: t.orders > 0 ? Math.round(t.gmvCents / t.orders) : 0,
    peakViewers: viewers.peak,
    uniqueViewers: viewers.unique,
    conversion: viewers.unique > 0 ? t.buyers / viewers.unique : null,
  };
}
const isAdmin = (u: AuthUser) => u.roles.includes('admin');

/**
 * Sales reports over the rollups. Every read first folds the order journal,
 * so a report equals the sums over `orders` at the moment it is asked for.
 * Scope: a merchant sees its own numbers; admins see any merchant's (they
 * name it with `merchantId`, or it follows from `streamId`).
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly folder: ReportFolder,
  ) {}

  private async streamFor(user: AuthUser, id: string): Promise<StreamRow> {
    const s = await this.repo.stream(id);
    if (!s) throw new NotFoundError('Stream', id);
    if (!isAdmin(user) && s.merchantId !== user.id) {
      throw new ForbiddenError("This stream sells another merchant's products");
    }
    return s;
  }

  private pickCurrency(
    requested: string | undefined,
    c: { inRange: string[]; fallback: string | null },
  ): string {
    if (requested) return requested;
    if (c.inRange.length > 1) {
      throw new ValidationError(
        `currency is required: these sales are in ${c.inRange.join(', ')} (amounts in different currencies are never added)`,
        { field: 'currency', currencies: c.inRange },
      );
    }
    return c.inRange[0] ?? c.fallback ?? 'USD';
  }

  async gmv(user: AuthUser, q: GmvQuery): Promise<GmvReport> {
    const range = resolveRange(q);
    let merchantId: string;
    const stream = q.streamId ? await this.streamFor(user, q.streamId) : null;
    if (isAdmin(user)) {
      const m = q.merchantId ?? stream?.merchantId ?? undefined;
      if (!m)
        throw new ValidationError('merchantId is required for admins (or give a streamId)', {
          field: 'merchantId',
        });
      merchantId = m;
    } else {
      if (q.merchantId && q.merchantId !== user.id)
        throw new ForbiddenError("You can only see your own shop's reports");
      merchantId = user.id;
    }
    await this.folder.fold();
    const timeZone = await this.repo.timeZone(merchantId);
    const streamKey = stream?.id ?? ALL;
    const productKey = q.productId ?? ALL;
    const currency = this.pickCurrency(
      q.currency,
      await this.repo.currencies(
        merchantId,
        range.granularity,
        streamKey,
        productKey,
        range.from,
        range.to,
        timeZone,
      ),
    );
    const rows = await this.repo.series({
      merchantId,
      granularity: range.granularity,
      streamKey,
      productKey,
      currency,
      from: range.from,
      to: range.to,
      timeZone,
    });
    return {
      merchantId,
      currency,
      timeZone,
      granularity: range.granularity,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      streamId: stream?.id ?? null,
      productId: q.productId ?? null,
      buckets: rows.map((r) => ({ start: r.start.toISOString(), ...salesOf(r) })),
    };
  }

  async stream(user: AuthUser, id: string, currency?: string): Promise<StreamReport> {
    const s = await this.streamFor(user, id);
    await this.folder.fold();
    const rollups = s.merchantId ? await this.repo.streamRollups(s.merchantId, s.id) : [];
    const currencies = [
      ...new Set(
        rollups
          .filter((r) => r.grain === GRAIN.total && r.productKey === ALL && r.totals.orders !== 0)
          .map((r) => r.currency),
      ),
    ].sort();
    const cur = this.pickCurrency(currency, {
      inRange: currencies,
      fallback: rollups[0]?.currency ?? null,
    });
    const mine = rollups.filter((r) => r.currency === cur);
    const whole = mine.find((r) => r.grain === GRAIN.total && r.productKey === ALL)?.totals ?? ZERO;
    const [airtime, viewers] = await Promise.all([this.repo.airtime(s.id), this.repo.viewers(s.id)]);

    const products = new Map<string, ProductLine>();
    const line = (productId: string): ProductLine => {
      let p = products.get(productId);
      if (!p) {
        p = {
          productId,
          title: null,
          ...salesOf(ZERO),
          pinnedSeconds: 0,
          pins: 0,
          pinnedGmvCents: 0,
          pinnedOrders: 0,
          pinnedUnits: 0,
        };
        products.set(productId, p);
      }
      return p;
    };
    for (const r of mine) {
      if (r.productKey === ALL) continue;
      const p = line(r.productKey);
      if (r.grain === GRAIN.total) {
        Object.assign(p, salesOf(r.totals));
      } else if (r.grain === GRAIN.pinned) {
        Object.assign(p, {
          pinnedGmvCents: r.totals.gmvCents,
          pinnedOrders: r.totals.orders,
          pinnedUnits: r.totals.units,
        });
      }
    }
    for (const a of airtime) Object.assign(line(a.productId), { pinnedSeconds: a.seconds, pins: a.pins });
    const titles = await this.repo.titles([...products.keys()]);
    for (const p of products.values()) p.title = titles.get(p.productId) ?? null;
    const topProducts = [...products.values()]
      .filter((p) => p.orders !== 0 || p.pins > 0)
      .sort(
        (a, b) =>
          b.gmvCents - a.gmvCents ||
          b.pinnedSeconds - a.pinnedSeconds ||
          (a.productId < b.productId ? -1 : 1),
      );

    return {
      streamId: s.id,
      title: s.title,
      status: s.status,
      merchantId: s.merchantId,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      currency: cur,
      currencies,
      ...salesOf(whole),
      ...audienceOf(whole, viewers),
      topProducts,
    };
  }

  /**
   * The merchant's streams (newest first, up to 200) with their figures in
   * `currency` (default: the only one they sold in, else the merchant's).
   */
  async streams(user: AuthUser, q: { currency?: string; merchantId?: string }): Promise<StreamRowReport[]> {
    let merchantId = user.id;
    if (q.merchantId && q.merchantId !== user.id) {
      if (!isAdmin(user)) throw new ForbiddenError("You can only see your own shop's reports");
      merchantId = q.merchantId;
    }
    await this.folder.fold();
    const list = await this.repo.streamList(merchantId, 200);
    const sold = [...new Set(list.flatMap((s) => s.byCurrency.map((c) => c.currency)))].sort();
    const currency = this.pickCurrency(q.currency, { inRange: sold, fallback: null });
    return list.map((s) => {
      const t = s.byCurrency.find((c) => c.currency === currency)?.totals ?? ZERO;
      return {
        streamId: s.id,
        title: s.title,
        status: s.status,
        startedAt: s.startedAt?.toISOString() ?? null,
        currency,
        ...salesOf(t),
        ...audienceOf(t, s),
      };
    });
  }

  /**
   * A stream's figures, for its page once it has ended (and while live):
   * audience for everyone; sales per currency for its streamer, its shop and
   * admins (null for anyone else).
   */
  async summary(user: AuthUser | undefined, id: string, publicUrl: string): Promise<StreamSummary> {
    const s = await this.repo.stream(id);
    if (!s) throw new NotFoundError('Stream', id);
    const staff =
      !!user &&
      (isAdmin(user) || user.id === s.ownerId || (s.merchantId !== null && user.id === s.merchantId));
    let sales: StreamSummary['sales'] = null;
    if (staff) {
      sales = [];
      if (s.merchantId) {
        await this.folder.fold();
        for (const r of await this.repo.streamRollups(s.merchantId, s.id)) {
          if (r.grain !== GRAIN.total || r.productKey !== ALL || r.totals.orders === 0) continue;
          sales.push({
            currency: r.currency,
            gmvCents: r.totals.gmvCents,
            paidCents: r.totals.paidCents,
            netCents: r.totals.paidCents - r.totals.refundedCents,
            orders: r.totals.orders,
            units: r.totals.units,
            buyers: r.totals.buyers,
          });
        }
        sales.sort((a, b) => (a.currency < b.currency ? -1 : 1));
      }
    }
    const end = s.endedAt ?? (s.status === 'live' ? new Date() : null);
    return {
      streamId: s.id,
      title: s.title,
      status: s.reconnecting ? 'reconnecting' : s.status,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      durationSeconds:
        s.startedAt && end ? Math.max(0, Math.round((end.getTime() - s.startedAt.getTime()) / 1000)) : 0,
      peakViewers: s.peakViewers,
      uniqueViewers: s.uniqueViewers,
      likes: s.likes,
      replay: {
        available: s.status === 'ended' && s.replayReady,
        hlsUrl: `${publicUrl}/hls/${s.id}/master.m3u8`,
        posterUrl: s.replayReady || s.status === 'live' ? `${publicUrl}/hls/${s.id}/poster.jpg` : null,
      },
      sales,
    };
  }

  async settings(user: AuthUser): Promise<{ timeZone: string }> {
    return { timeZone: await this.repo.timeZone(user.id) };
  }

  /** Changes the merchant's reporting time zone and rebuilds its hour and day buckets. */
  async setTimeZone(user: AuthUser, timeZone: string): Promise<{ timeZone: string }> {
    if (!isTimeZone(timeZone) || !(await this.repo.postgresKnowsZone(timeZone))) {
      throw new ValidationError(`timeZone: "${timeZone}" is not an IANA time zone (e.g. Europe/Paris)`, {
        field: 'timeZone',
      });
    }
    await this.folder.fold();
    await this.repo.rebuild(user.id, timeZone);
    return { timeZone };
  }
}
