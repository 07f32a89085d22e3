#!/usr/bin/env python3
"""Runs the real Python client of Clevertim (clevertimapi, github.com/ciprianmiclaus/clevertim-api-py)
against a running Opsbase, through the client's own classes: list, get, create, update and delete of
contacts, companies, cases, opportunities, tasks, notes, comments, custom fields and folders; users and
groups read whole; group-restricted records (Endpoint.set_groups) hidden from a user outside the group.

The client is not part of Opsbase: give the folder that holds its `clevertimapi` package.

    CLEVERTIM_TOKEN=... [CLEVERTIM_OUTSIDER_TOKEN=...] \\
      python3 scripts/clevertim-python-client.py --client PATH --url http://127.0.0.1:3000

CLEVERTIM_TOKEN is an owner's or admin's API token of a company with at least one group (the demo
company has two); CLEVERTIM_OUTSIDER_TOKEN, if given, a member's token who is in none of its groups.
Prints one line per check and exits 1 at the first that fails (with the client's own error).
"""
import argparse
import datetime
import json
import os
import sys
import traceback


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--client', required=True, help='folder holding the clevertimapi package')
    parser.add_argument('--url', required=True, help='the Opsbase server, e.g. http://127.0.0.1:3000')
    args = parser.parse_args()
    token = os.environ.get('CLEVERTIM_TOKEN')
    if not token:
        parser.error('set CLEVERTIM_TOKEN to an API token (opsbase token create --api clevertim ...)')
    sys.path.insert(0, os.path.abspath(args.client))
    import clevertimapi  # noqa: E402  (the client under test, from --client)
    from clevertimapi.session import Session, SessionError
    from clevertimapi.contact import PhoneNumber, SocialMediaId
    from clevertimapi.customfield import CustomField
    from clevertimapi.file import Folder
    from clevertimapi.endpoint import Endpoint

    endpoint = args.url.rstrip('/') + '/clevertim/api'
    session = Session(token, endpoint_url=endpoint)
    checks = []

    def check(name, condition, detail=''):
        if not condition:
            raise AssertionError('%s %s' % (name, detail))
        checks.append(name)
        print('ok %s' % (name,), flush=True)

    def fresh():
        # A new session: no cached GETs, so what follows is read from the server.
        return Session(token, endpoint_url=endpoint)

    # ---- users and groups (read whole, LOAD_ALL) -------------------------------------------------
    users = clevertimapi.User.all(session)
    check('User.all lists the account users', len(users) >= 1 and all(isinstance(u.key, int) for u in users))
    me = [u for u in users if u.is_owner or u.is_admin]
    check('an owner or admin among them, with permissions', bool(me) and 'canedit' in me[0].permissions)
    me = me[0]
    check('User(session, key) loads one user from the whole list', clevertimapi.User(fresh(), key=me.key).email == me.email)
    groups = clevertimapi.Group.all(session)
    check('Group.all lists the groups, each with a power-of-two gid', len(groups) >= 1 and all(g.gid > 0 and g.gid & (g.gid - 1) == 0 for g in groups), repr([g.get_content() for g in groups]))
    group = groups[0]
    check('Group.users are User objects', all(isinstance(u, clevertimapi.User) and u.email for u in group.users))
    check('Group(session, key) loads one group', clevertimapi.Group(fresh(), key=group.key).name == group.name)

    # ---- custom fields ------------------------------------------------------------------------------
    source = CustomField(session)
    source.name = 'Client lead source'
    source.field_type = CustomField.FIELD_TYPE.SELECT
    source.field_scope = [CustomField.FIELD_SCOPE.CONTACTS, CustomField.FIELD_SCOPE.COMPANIES]
    source.allowed_values = ['Web', 'Referral']
    source.save()
    check('CustomField.save() creates a select field', isinstance(source.key, int))
    since = CustomField(session)
    since.name = 'Client since'
    since.field_type = CustomField.FIELD_TYPE.DATE
    since.field_scope = [CustomField.FIELD_SCOPE.CONTACTS, CustomField.FIELD_SCOPE.CASES]
    since.save()
    manager = CustomField(session)
    manager.name = 'Client manager'
    manager.field_type = CustomField.FIELD_TYPE.USER
    manager.field_scope = [CustomField.FIELD_SCOPE.CONTACTS]
    manager.save()
    referrer = CustomField(session)
    referrer.name = 'Client referrer'
    referrer.field_type = CustomField.FIELD_TYPE.CONTACT
    referrer.field_scope = [CustomField.FIELD_SCOPE.OPPORTUNITIES]
    referrer.save()
    listed = CustomField.all(fresh())
    check('CustomField.all lists them', {source.key, since.key, manager.key, referrer.key} <= {f.key for f in listed})
    source.allowed_values = ['Web', 'Referral', 'Fair']
    source.save()
    check('CustomField update (PUT of the whole object)', CustomField(fresh(), key=source.key).allowed_values == ['Web', 'Referral', 'Fair'])

    # ---- companies and contacts ---------------------------------------------------------------------
    company = clevertimapi.Company(session)
    company.name = 'Client Widgets Ltd'
    company.city = 'London'
    company.phone_numbers = [PhoneNumber(phone_number='+44 20 7946 0000', phone_type=PhoneNumber.PHONE_TYPES.WORK)]
    company.custom_field_values[source] = 'Referral'
    company.save()
    check('Company.save() creates a company', isinstance(company.key, int))

    contact = clevertimapi.Contact(session)
    contact.first_name = 'Mike'
    contact.last_name = 'Doodley'
    contact.company = company
    contact.emails = ['mike@client.example']
    contact.phone_numbers = [PhoneNumber(phone_number='07979463643', phone_type=PhoneNumber.PHONE_TYPES.MOBILE)]
    contact.social_media_ids = [SocialMediaId(social_media_id='octocat', social_media_type=SocialMediaId.SOCIAL_MEDIA_VENUES.GITHUB)]
    contact.tags = ['client', 'python']
    contact.custom_field_values[source] = 'Web'
    contact.custom_field_values[since] = datetime.date(2017, 5, 22)
    contact.custom_field_values[manager] = me
    contact.save()
    check('Contact.save() creates a contact', isinstance(contact.key, int))
    loaded = clevertimapi.Contact(fresh(), key=contact.key)
    check('Contact(session, key) reads it back', (loaded.first_name, loaded.last_name, loaded.company.key, loaded.emails[:]) == ('Mike', 'Doodley', company.key, ['mike@client.example']))
    check('its phone numbers and social media ids', loaded.phone_numbers[0].phone_type == 'Mobile' and loaded.social_media_ids[0].social_media_id == 'octocat')
    # Read as raw content: the client's own CustomFieldValueCollection cannot read back a user/contact/...
    # value (it checks the stored id text against the User class itself and raises ValidationError), so a
    # read through custom_field_values fails on any server once such a value is stored.
    cf = loaded.get_content()['cf']
    check('its custom field values in the client\'s encodings', cf == {str(source.key): 'Web', str(since.key): '2017-05-22', str(manager.key): str(me.key)}, repr(cf))
    check('the company lists nothing it should not', clevertimapi.Company(fresh(), key=company.key).name == 'Client Widgets Ltd')
    loaded.title = 'Engineer'
    loaded.tags = ['client']
    loaded.save()
    again = clevertimapi.Contact(fresh(), key=contact.key)
    check('Contact update: PUT of the whole cached object', again.title == 'Engineer' and again.tags[:] == ['client'] and again.last_name == 'Doodley')
    check('Contact.all includes it', contact.key in [c.key for c in clevertimapi.Contact.all(fresh())])
    check('Company.all includes the company, not the contact', company.key in [c.key for c in clevertimapi.Company.all(fresh())] and contact.key not in [c.key for c in clevertimapi.Company.all(fresh())])

    # ---- cases, opportunities, tasks, notes, comments ----------------------------------------------
    case = clevertimapi.Case(session)
    case.name = 'Client case'
    case.description = 'Made by the Python client'
    case.who = company  # a company through the ContactOrCompany reference
    case.lead_user = me
    case.tags = ['python']
    case.custom_field_values[since] = '2020-02-29'
    case.set_groups([group])
    case.save()
    check('Case.save() with set_groups: visibility GROUPS', case.visibility == Endpoint.VISIBILITY.GROUPS and case.get_content()['gid'] == group.gid)
    read_case = clevertimapi.Case(fresh(), key=case.key)
    check('a case read back names its company through ContactOrCompany (contact first, then company)', isinstance(read_case.who, clevertimapi.Company) and read_case.who.key == company.key)
    check('get_groups() finds the group by its gid bit', [g.key for g in read_case.get_groups()] == [group.key])

    opportunity = clevertimapi.Opportunity(session)
    opportunity.name = 'Client deal'
    opportunity.who = contact
    opportunity.value = '4500'
    opportunity.currency = 'EUR'
    opportunity.status = 'Open'
    opportunity.custom_field_values[referrer] = contact
    opportunity.save()
    check('Opportunity.save() creates a deal', isinstance(opportunity.key, int))
    opportunity.status = 'Won'
    opportunity.save()
    read_opp = clevertimapi.Opportunity(fresh(), key=opportunity.key)
    check('Opportunity update and read back', read_opp.status == 'Won' and read_opp.value == '4500' and read_opp.who.key == contact.key)
    check('a contact-type custom field value names the contact', read_opp.get_content()['cf'] == {str(referrer.key): str(contact.key)}, repr(read_opp.get_content()['cf']))

    task = clevertimapi.Task(session)
    task.name = 'Client task'
    task.task_type = clevertimapi.Task.TASK_TYPES.CALL
    task.who = contact
    # The client's list_wrapper.append() cannot add references (isinstance on the type's name): assign the list.
    task.case = [case]
    task.start_date = datetime.date(2026, 6, 2)
    task.start_time = datetime.time(10, 30)
    task.assigned_to = me
    task.save()
    check('Task.save() with a date, a time, a case and an assignee', isinstance(task.key, int))
    read_task = clevertimapi.Task(fresh(), key=task.key)
    # `case` is read raw: the server returns one id as documented (spec R-22) while the client declares a
    # list reference, so its Task.case accessor cannot read a task's case back from any server.
    check('Task read back', (read_task.start_date, read_task.start_time, read_task.get_content()['case'], read_task.assigned_to.key) == (datetime.date(2026, 6, 2), datetime.time(10, 30), case.key, me.key), repr(read_task.get_content()))
    read_task.is_completed = True
    read_task.save()
    check('Task completed', clevertimapi.Task(fresh(), key=task.key).is_completed is True)

    note = clevertimapi.Note(session)
    note.description = 'Client note\nsecond line'
    note.who = [contact, company]
    note.case = case
    note.save()
    read_note = clevertimapi.Note(fresh(), key=note.key)
    check('Note with two contacts (cust as a list) and a case', [w.key for w in read_note.who] == [contact.key, company.key] and read_note.case.key == case.key and read_note.headline == 'Client note')
    check('the contact lists the note, the task and the deal', (lambda c: note.key in [n.key for n in c.notes] and task.key in [t.key for t in c.tasks] and opportunity.key in [o.key for o in c.opportunities])(clevertimapi.Contact(fresh(), key=contact.key)))

    comment = clevertimapi.Comment(session)
    comment.description = 'Client comment'
    comment.note = [note]
    comment.save()
    check('Comment.save() on a note', isinstance(comment.key, int))
    check('the note lists the comment', comment.key in [c.key for c in clevertimapi.Note(fresh(), key=note.key).comments])
    for cls in (clevertimapi.Case, clevertimapi.Opportunity, clevertimapi.Task, clevertimapi.Note, clevertimapi.Comment):
        check('%s.all lists what was made' % (cls.__name__,), len(cls.all(fresh())) >= 1)

    # ---- group-restricted records are invisible outside the group (R-5) -----------------------------
    outsider_token = os.environ.get('CLEVERTIM_OUTSIDER_TOKEN')
    if outsider_token:
        outsider = Session(outsider_token, endpoint_url=endpoint)
        try:
            clevertimapi.Case(outsider, key=case.key)
            hidden = False
        except SessionError as error:
            hidden = 'HTTP 404' in str(error)
        check('a user in none of the groups gets 404 for the group-restricted case', hidden)
        check('and does not find it in Case.all', case.key not in [c.key for c in clevertimapi.Case.all(outsider)])
        read_case.set_groups([])
        read_case.save()
        check('set_groups([]) opens it to everyone', clevertimapi.Case(Session(outsider_token, endpoint_url=endpoint), key=case.key).name == 'Client case')

    # ---- folders --------------------------------------------------------------------------------------
    top = Folder(session)
    top.name = 'Client folder'
    top.save()
    check('Folder.save() creates a folder (is_dir default sent)', isinstance(top.key, int))
    inner = Folder(session)
    inner.name = 'Inner'
    inner.parent = top
    inner.save()
    check('a folder inside another', Folder(fresh(), key=inner.key).parent.key == top.key)
    inner.name = 'Inner renamed'
    inner.parent = None
    inner.save()
    moved = Folder(fresh(), key=inner.key)
    check('rename and move to the root', moved.name == 'Inner renamed' and moved.parent is None)
    top.parent = moved
    top.save()
    try:
        moved.parent = top
        moved.save()
        refused = False
    except SessionError as error:
        refused = 'HTTP 400' in str(error)
    check('moving a folder under its own sub-folder is refused (400)', refused)
    check('Folder.all lists both', {top.key, inner.key} <= {f.key for f in Folder.all(fresh())})

    # ---- deletes ----------------------------------------------------------------------------------------
    for thing in (comment, note, task, opportunity, case, contact, company, inner, source, since, manager, referrer):
        kind = type(thing)
        key = thing.key
        thing.delete()
        try:
            kind(fresh(), key=key)
            gone = False
        except SessionError:
            gone = True
        check('%s.delete() removes it' % (kind.__name__,), gone)
    try:
        Folder(fresh(), key=top.key)
        top_gone = False
    except SessionError:
        top_gone = True
    check('deleting a folder deletes its sub-folders', top_gone)

    print(json.dumps({'checks': len(checks)}), flush=True)


if __name__ == '__main__':
    try:
        main()
    except Exception:  # one readable failure, with the client's own error
        traceback.print_exc()
        sys.exit(1)
