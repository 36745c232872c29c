// @ts-check
/**
 * Who is signed in as staff on this phone, remembered between the server's answers: a street
 * warden is often offline for hours, and the report form must know (without the network) to skip
 * the steps that are for residents only (contact details, "Get updates").
 */

const KEY = 'reportit:staff';

/** @returns {{email: string, role: string} | null} the last answer the server gave */
export function knownStaff() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

/** @param {{email: string, role: string} | null} staff */
export function rememberStaff(staff) {
  if (staff) localStorage.setItem(KEY, JSON.stringify({ email: staff.email, role: staff.role }));
  else localStorage.removeItem(KEY);
}
