/**
 * The roles of an API key as the api defines them (`services/api/src/auth/rbac.ts`): they nest,
 * `platform-admin` ⊇ `deployment-manager` ⊇ `viewer`. The console offers an action only when the
 * signed-in key's role allows it; the api checks again, so this only spares a person a 403.
 */

/** The roles, weakest first. */
export const ROLES = ['viewer', 'deployment-manager', 'platform-admin'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** The role named by `GET /user`; undefined for none the console knows. */
export function roleOf(value: unknown): Role | undefined {
  return (ROLES as readonly unknown[]).includes(value) ? (value as Role) : undefined;
}

/** True when `role` includes `needed`; an unknown (or not yet loaded) role allows nothing. */
export function allows(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
