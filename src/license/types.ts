/** The licence's domain types: what commands return (under --json) and other modules read. */
import type { RowErrorRef } from '../cli/errors';

/** Stored licence status (the `licenses.status` column other modules rely on). */
export type LicenseStatus = 'valid' | 'revoked' | 'cancelled' | 'expired' | 'withdrawn';

/** 有效 / 撤销 / 注销 / 失效 / 吊销: the e-licence statuses in practice (DOMAIN.md). */
export const STATUS_LABEL: Record<LicenseStatus, string> = {
  valid: '有效',
  revoked: '撤销',
  cancelled: '注销',
  expired: '失效',
  withdrawn: '吊销',
};

export type LicenseEventKind = 'issue' | 'change' | 'renew' | 'revoke' | 'cancel' | 'withdraw';

export const EVENT_LABEL: Record<LicenseEventKind, string> = {
  issue: '发证',
  change: '变更换证',
  renew: '延续换证',
  revoke: '撤销',
  cancel: '注销',
  withdraw: '吊销',
};

export interface LicenseItem {
  /** 事项编码 (null when the catalog has none) and 事项名称. */
  matterCode: string | null;
  matterName: string;
  /** 单项许可证号 */
  permitNo: string | null;
  /** 有效期至 of the single permit (YYYY-MM-DD) */
  validUntil: string | null;
}

export interface LicenseVersion {
  version: number;
  holderName: string;
  uscc: string;
  legalRep: string;
  industry: string;
  industryCode: string | null;
  premises: string;
  authorityName: string;
  /** 制证日期 of this version */
  issueDate: string;
  validUntil: string;
  /** Date a newer version replaced this one; null for the current version. */
  supersededAt: string | null;
  items: LicenseItem[];
  /** The signed QR text. */
  payload: string;
  keyId: string;
  /** 批次号 of the batch that issued this version (`license batches`); null for a single command. */
  batchId: number | null;
}

export interface License {
  number: string;
  applicationNo: string;
  status: LicenseStatus;
  statusLabel: string;
  /** 'expired' when a valid licence is past its validity on the day asked about. */
  effectiveStatus: LicenseStatus;
  statusDate: string | null;
  statusReason: string | null;
  /** First issue */
  issueDate: string;
  currentVersion: number;
  current: LicenseVersion;
  /** 批次号 of the batch that first issued the licence (`license batches`, `license print --batch`). */
  batchId: number | null;
}

export interface LicenseEvent {
  event: LicenseEventKind;
  eventLabel: string;
  version: number;
  date: string;
  actor: string;
  at: string;
  reason: string | null;
  details: Record<string, unknown> | null;
  file: string | null;
  sheet: string | null;
  row: number | null;
  /** 批次号 of the batch the event belongs to; null for a single command. */
  batchId: number | null;
}

/** One rejected row or field of a batch, named as the office's spreadsheet shows it. */
export type BatchRowError = RowErrorRef;
