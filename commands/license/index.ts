import LicenseIssue from './issue';
import LicenseVerify from './verify';
import LicenseShow from './show';
import LicenseList from './list';
import LicenseHistoryCommand from './history';
import LicenseChange from './change';
import LicenseRenew from './renew';
import LicenseRevoke from './revoke';
import LicenseCancel from './cancel';
import LicenseWithdraw from './withdraw';
import LicenseApply from './apply';
import LicensePrint from './print';
import LicenseExport from './export';
import LicenseExpiring from './expiring';
import LicenseRevocations from './revocations';
import LicenseAllowCode from './allow-code';
import LicenseVerifySite from './verify-site';
import LicenseBatches from './batches';

/** The `license` topic's commands, by oclif id. */
export const LICENSE_COMMANDS = {
  'license:issue': LicenseIssue,
  'license:verify': LicenseVerify,
  'license:show': LicenseShow,
  'license:list': LicenseList,
  'license:history': LicenseHistoryCommand,
  'license:change': LicenseChange,
  'license:renew': LicenseRenew,
  'license:revoke': LicenseRevoke,
  'license:cancel': LicenseCancel,
  'license:withdraw': LicenseWithdraw,
  'license:apply': LicenseApply,
  'license:print': LicensePrint,
  'license:export': LicenseExport,
  'license:expiring': LicenseExpiring,
  'license:revocations': LicenseRevocations,
  'license:allow-code': LicenseAllowCode,
  'license:verify-site': LicenseVerifySite,
  'license:batches': LicenseBatches,
};
