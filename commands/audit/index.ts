import AuditVerify from './verify';
import AuditSign from './sign';

/** The `audit` topic's commands, by oclif id. */
export const AUDIT_COMMANDS = {
  'audit:verify': AuditVerify,
  'audit:sign': AuditSign,
};
