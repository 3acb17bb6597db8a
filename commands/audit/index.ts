import AuditVerify from './verify';
import AuditSign from './sign';
import AuditRepairHead from './repair-head';

/** The `audit` topic's commands, by oclif id. */
export const AUDIT_COMMANDS = {
  'audit:verify': AuditVerify,
  'audit:sign': AuditSign,
  'audit:repair-head': AuditRepairHead,
};
