"""Creating staff accounts (Piccolo users with a role)."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser

from reportit.accounts.tables import ROLES, StaffRole


async def add_staff(email: str, password: str, role: str) -> BaseUser:
    # Sign-in looks emails up in lower case; store them that way so "Sam@Council.gov.uk" can sign in.
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    user = await BaseUser.create_user(username=email, password=password, email=email, active=True)
    await StaffRole(user=user.id, role=role).save()
    return user
