import type { Orm } from '../../../platform/db/database.ts';
import type { Tx } from '../../../platform/idempotency/idempotency.ts';
import type { Role } from '../../../platform/tenancy/schema.ts';

/** A pool-level handle or an open transaction: reads work on either. */
export type Db = Orm | Tx;

/** Who a Clevertim call runs as: "there is no special API user" (seed), every call is a user's. */
export interface Caller {
  companyId: string;
  companyName: string;
  personId: string;
  role: Role;
  /** The person's Clevertim user id in this company (`userId` on what they create). */
  userId: number;
  /** The OR of the `gid` bits of the person's groups; absent or 0: in no group. */
  groupMask?: number;
}

export type Permission = 'canexport' | 'canedit' | 'candelete';

export interface Entitlements {
  isOwner: boolean;
  isAdmin: boolean;
  permissions: Permission[];
}

/**
 * The platform's roles as Clevertim entitlements (spec 2.2, R-4): owners and admins may do everything;
 * members read, export, edit and delete; viewers read and export but change nothing.
 */
export function entitlementsOf(role: Role): Entitlements {
  switch (role) {
    case 'owner':
      return { isOwner: true, isAdmin: false, permissions: ['canexport', 'canedit', 'candelete'] };
    case 'admin':
      return { isOwner: false, isAdmin: true, permissions: ['canexport', 'canedit', 'candelete'] };
    case 'member':
      return { isOwner: false, isAdmin: false, permissions: ['canexport', 'canedit', 'candelete'] };
    case 'viewer':
      return { isOwner: false, isAdmin: false, permissions: ['canexport'] };
  }
}

/** owner and admin may do all; everyone else needs the permission. */
export function mayDo(role: Role, permission: Permission): boolean {
  const entitlements = entitlementsOf(role);
  return entitlements.isOwner || entitlements.isAdmin || entitlements.permissions.includes(permission);
}

/** owners and admins see private and group-restricted records too. */
export function seesEverything(caller: Pick<Caller, 'role'>): boolean {
  const entitlements = entitlementsOf(caller.role);
  return entitlements.isOwner || entitlements.isAdmin;
}
