"""The practice's contacts directory and each client's care team (stage 5).

Directory: add, edit, archive (a contact still used on a team or a referral is archived, never
deleted), delete one nobody uses. Care team: add a contact to a client's team with a role, the
release-of-information status and the last day they were in touch; change or remove them; and
find members who have not been in touch for a number of days (the setting, 30 by default)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, ngettext
from app.models.contacts import (
    DEFAULT_QUIET_DAYS,
    Contact,
    ContactFields,
    ContactUsage,
    MemberFields,
    QuietMember,
    TeamMember,
    quiet_since,
    validate_contact,
    validate_member,
)
from app.services.errors import NotFound, ValidationError
from app.store.contacts_repo import ContactRepository
from app.store.db import Connection

if TYPE_CHECKING:
    from app.services.session import Session


class ContactService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> ContactRepository:
        return ContactRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    # -- the directory -------------------------------------------------------------------------

    def directory(self, include_archived: bool = False) -> list[Contact]:
        """Every contact (archived ones only if asked), unsorted: lists sort and filter themselves."""
        return self._repo.all(include_archived)

    def get(self, contact_id: str) -> Contact:
        contact = self._repo.get(contact_id)
        if contact is None:
            raise NotFound(_("The contact"))
        return contact

    def create(self, fields: ContactFields) -> Contact:
        clean = self._validated(fields)
        contact = Contact(str(uuid.uuid4()), clean)
        with self._session.write() as conn:
            ContactRepository(conn).add(contact, self._session.clock.now())
            self._session.audit("contact.create", "contact", contact.id, f"kind={clean.kind.value}")
        return self.get(contact.id)

    def update(self, contact_id: str, fields: ContactFields) -> Contact:
        clean = self._validated(fields)
        self.get(contact_id)
        with self._session.write() as conn:
            if not ContactRepository(conn).update(contact_id, clean, self._session.clock.now()):
                raise NotFound(_("The contact"))
            self._session.audit("contact.update", "contact", contact_id, f"kind={clean.kind.value}")
        return self.get(contact_id)

    def _validated(self, fields: ContactFields) -> ContactFields:
        problems = validate_contact(fields)
        if problems:
            raise ValidationError(problems)
        return fields.normalised()

    def usage(self, contact_id: str) -> ContactUsage:
        """Whose care teams the contact is on, and how many referrals went to them."""
        return self._repo.usage(contact_id)

    def archive(self, contact_id: str) -> Contact:
        """Take the contact out of the directory and the pickers; the teams and referrals that
        name them keep them."""
        contact = self.get(contact_id)
        if not contact.archived:
            with self._session.write() as conn:
                ContactRepository(conn).set_archived(contact_id, self._session.clock.now(), self._session.clock.now())
                self._session.audit("contact.archive", "contact", contact_id)
        return self.get(contact_id)

    def unarchive(self, contact_id: str) -> Contact:
        contact = self.get(contact_id)
        if contact.archived:
            with self._session.write() as conn:
                ContactRepository(conn).set_archived(contact_id, None, self._session.clock.now())
                self._session.audit("contact.unarchive", "contact", contact_id)
        return self.get(contact_id)

    def delete(self, contact_id: str) -> None:
        """Remove a contact nobody uses. One on a care team or named in a referral is refused
        (ValidationError): archive it instead."""
        self.get(contact_id)
        with self._session.write() as conn:
            repo = ContactRepository(conn)
            usage = repo.usage(contact_id)
            if usage.referenced:
                parts = [ngettext("{n} care team", "{n} care teams", len(usage.teams)).format(n=len(usage.teams)),
                         ngettext("{n} referral", "{n} referrals", usage.referrals).format(n=usage.referrals)]
                if usage.transitions:
                    parts.append(ngettext("{n} transition", "{n} transitions", usage.transitions).format(
                        n=usage.transitions))
                if usage.releases:
                    parts.append(ngettext("{n} release of information", "{n} releases of information",
                                          usage.releases).format(n=usage.releases))
                message = _(
                    "This contact is used on {where}, so it can't be deleted. Archive it instead: it leaves the "
                    "directory but stays on those records.").format(where=", ".join(parts))
                raise ValidationError({"contact": message}, message)
            repo.delete(contact_id, self._session.clock.now())
            self._session.audit("contact.delete", "contact", contact_id)

    # -- care teams ----------------------------------------------------------------------------

    def team(self, client_id: str) -> list[TeamMember]:
        """The client's current care team, in the order they joined."""
        return self._repo.team(client_id)

    def member(self, member_id: str) -> TeamMember:
        member = self._repo.member(member_id)
        if member is None:
            raise NotFound(_("The care-team member"))
        return member

    def add_member(self, client_id: str, contact_id: str, fields: MemberFields) -> TeamMember:
        """Put a contact on the client's care team (once: a second time is refused)."""
        self._session.clients.get(client_id)
        contact = self.get(contact_id)
        problems = validate_member(fields, self._today())
        if problems:
            raise ValidationError(problems)
        clean = MemberFields(fields.role.strip(), fields.release, fields.last_contact_on)
        member_id = str(uuid.uuid4())
        with self._session.write() as conn:
            repo = ContactRepository(conn)
            if repo.member_for(client_id, contact_id) is not None:
                message = _("{name} is already on this care team.").format(name=contact.name)
                raise ValidationError({"contact": message}, message)
            repo.add_member(member_id, client_id, contact_id, clean, self._today(), self._session.clock.now())
            self._session.audit("care_team.add", "client", client_id,
                                f"member={member_id},release={clean.release.value}")
        return self.member(member_id)

    def update_member(self, member_id: str, fields: MemberFields) -> TeamMember:
        member = self.member(member_id)
        problems = validate_member(fields, self._today())
        if problems:
            raise ValidationError(problems)
        clean = MemberFields(fields.role.strip(), fields.release, fields.last_contact_on)
        with self._session.write() as conn:
            if not ContactRepository(conn).update_member(member_id, clean, self._session.clock.now()):
                raise NotFound(_("The care-team member"))
            self._session.audit("care_team.update", "client", member.client_id,
                                f"member={member_id},release={clean.release.value}")
        return self.member(member_id)

    def mark_in_touch(self, member_id: str, on: date | None = None) -> TeamMember:
        """Record that the member was in touch on `on` (today by default)."""
        member = self.member(member_id)
        return self.update_member(member_id, MemberFields(member.fields.role, member.fields.release,
                                                          on or self._today()))

    def record_contact(self, conn: Connection, client_id: str, contact_ids: Iterable[str], on: date) -> int:
        """Inside the caller's transaction (a note naming its participants, say): move the last
        contact of those care-team members forward to `on`. Returns how many changed."""
        changed = ContactRepository(conn).touch(client_id, contact_ids, min(on, self._today()),
                                                self._session.clock.now())
        if changed:
            self._session.audit("care_team.in_touch", "client", client_id, f"members={changed}")
        return changed

    def remove_member(self, member_id: str) -> None:
        """Take the member off the team (the contact stays in the directory)."""
        member = self.member(member_id)
        with self._session.write() as conn:
            ContactRepository(conn).remove_member(member_id, self._session.clock.now())
            self._session.audit("care_team.remove", "client", member.client_id, f"member={member_id}")

    def out_of_touch(self, days: int = DEFAULT_QUIET_DAYS, today: date | None = None,
                     client_id: str | None = None) -> list[QuietMember]:
        """Members not in touch for `days` days or more (counted from the day they joined when no
        contact is recorded), longest-quiet first; archived and closed cases left out."""
        return self._repo.quiet(quiet_since(today or self._today(), days), client_id)
