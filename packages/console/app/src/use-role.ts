/**
 * The signed-in key's role, read once per sign-in from `GET /user` and handed down by context:
 * pages ask {@link useAllowed} before they offer an action. Until the answer arrives nothing that
 * needs a role is offered (a viewer never sees a create button flash by).
 */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { allows, roleOf, type Role } from './roles';

/** The signed-in key's role (undefined while unknown). */
export const RoleContext = createContext<Role | undefined>(undefined);

/** Loads the role of the signed-in key; undefined while signed out or loading. */
export function useKeyRole(signedIn: boolean): Role | undefined {
  const [role, setRole] = useState<Role>();
  useEffect(() => {
    setRole(undefined);
    if (!signedIn) return;
    let live = true;
    api<{ role: unknown }>('GET', '/user').then(
      (user) => live && setRole(roleOf(user.role)),
      () => live && setRole(undefined),
    );
    return () => {
      live = false;
    };
  }, [signedIn]);
  return role;
}

/** True when the signed-in key's role includes `needed`. */
export function useAllowed(needed: Role): boolean {
  return allows(useContext(RoleContext), needed);
}
