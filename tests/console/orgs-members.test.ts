import { afterAll, describe, expect, it } from 'vitest';
import { closeDb } from '@/db';
import { orgScopeForUser } from '@/lib/auth/resolve-scope';
import { listAudit } from '@/lib/audit/audit';
import { changeMemberRole, leaveOrg, listMembers, removeMember } from '@/lib/members/members';
import { createOrg, deleteOrg, getOrg, listOrgsForUser, updateOrg } from '@/lib/orgs/orgs';
import { addMember, makeOrg, makeUser, uniq } from './helpers/fixtures';

afterAll(closeDb);

describe('orgs', () => {
  it('derives a unique slug from the name, and refuses taken or reserved slugs', async () => {
    const u = await makeUser();
    const name = `Acme ${uniq()}`;
    const a = await createOrg(u, { name });
    const b = await createOrg(u, { name });
    expect(a.slug).toBe(name.toLowerCase().replace(' ', '-'));
    expect(b.slug).toMatch(new RegExp(`^${a.slug}-[a-z0-9]{6}$`));
    await expect(createOrg(u, { name: 'X', slug: a.slug })).rejects.toMatchObject({ code: 'conflict' });
    await expect(createOrg(u, { name: 'X', slug: 'admin' })).rejects.toMatchObject({ name: 'ZodError' });
    await expect(createOrg(u, { name: 'X', slug: 'Has Spaces' })).rejects.toMatchObject({ name: 'ZodError' });
    const mine = await listOrgsForUser(u.userId);
    expect(mine.map((o) => o.slug)).toEqual(expect.arrayContaining([a.slug, b.slug]));
    expect(mine[0]!.personal).toBe(true);
  });

  it('renames and re-slugs, recording the change in the audit log', async () => {
    const { scope } = await makeOrg();
    const slug = `renamed-${uniq()}`;
    const org = await updateOrg(scope, { name: 'New name', slug });
    expect(org).toMatchObject({ name: 'New name', slug });
    const { events } = await listAudit(scope);
    expect(events[0]).toMatchObject({ action: 'org.update', data: { name: { from: 'Test org', to: 'New name' } } });
    const other = await makeOrg();
    await expect(updateOrg(other.scope, { slug })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('deletes only with the slug typed as confirmation, and never a person’s last org', async () => {
    const { owner, scope } = await makeOrg();
    await expect(deleteOrg(scope, { confirm: 'nope' })).rejects.toMatchObject({ code: 'bad_request' });
    await deleteOrg(scope, { confirm: scope.orgSlug });
    await expect(getOrg(scope)).rejects.toMatchObject({ code: 'not_found' });
    const personal = await orgScopeForUser(owner, (await listOrgsForUser(owner.userId))[0]!.slug);
    await expect(deleteOrg(personal, { confirm: personal.orgSlug })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/only organization/),
    });
  });
});

describe('members', () => {
  it('lists members with e-mail, role and join time', async () => {
    const { owner, scope } = await makeOrg();
    const { user } = await addMember(scope, 'viewer');
    const members = await listMembers(scope);
    expect(members).toEqual([
      expect.objectContaining({ userId: owner.userId, email: owner.email, role: 'owner', joinedAt: expect.any(String) }),
      expect.objectContaining({ userId: user.userId, role: 'viewer' }),
    ]);
  });

  it('never lets the last owner be demoted, removed, or leave', async () => {
    const { owner, scope } = await makeOrg();
    await expect(changeMemberRole(scope, owner.userId, 'admin')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/last owner/),
    });
    await expect(leaveOrg(scope)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/last owner/) });
    const second = await addMember(scope, 'owner');
    await expect(removeMember(second.scope, owner.userId)).resolves.toEqual({ left: false });
    await expect(removeMember(second.scope, second.user.userId)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('lets two owners demote each other only down to one owner, even concurrently', async () => {
    const { owner, scope } = await makeOrg();
    const other = await addMember(scope, 'owner');
    const results = await Promise.allSettled([
      changeMemberRole(scope, other.user.userId, 'admin'),
      changeMemberRole(other.scope, owner.userId, 'admin'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await listMembers(scope).catch(() => listMembers(other.scope))).filter((m) => m.role === 'owner')).toHaveLength(1);
  });

  it('only owners grant or change owner; admins manage ranks up to their own', async () => {
    const { owner, scope } = await makeOrg();
    const admin = await addMember(scope, 'admin');
    const dev = await addMember(scope, 'developer');
    await expect(changeMemberRole(admin.scope, dev.user.userId, 'owner')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(changeMemberRole(admin.scope, owner.userId, 'viewer')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(removeMember(admin.scope, owner.userId)).rejects.toMatchObject({ code: 'forbidden' });
    expect((await changeMemberRole(admin.scope, dev.user.userId, 'viewer')).role).toBe('viewer');
    expect((await changeMemberRole(scope, dev.user.userId, 'owner')).role).toBe('owner');
    const { events } = await listAudit(scope);
    expect(events.map((e) => e.action).slice(0, 2)).toEqual(['member.role_change', 'member.role_change']);
  });

  it('lets a viewer leave but not remove others; members of another org are 404', async () => {
    const { scope } = await makeOrg();
    const viewer = await addMember(scope, 'viewer');
    const dev = await addMember(scope, 'developer');
    await expect(removeMember(viewer.scope, dev.user.userId)).rejects.toMatchObject({ code: 'forbidden' });
    const outsider = await makeOrg();
    await expect(changeMemberRole(scope, outsider.owner.userId, 'viewer')).rejects.toMatchObject({ code: 'not_found' });
    await expect(removeMember(scope, outsider.owner.userId)).rejects.toMatchObject({ code: 'not_found' });
    await expect(leaveOrg(viewer.scope)).resolves.toEqual({ left: true });
    await expect(orgScopeForUser(viewer.user, scope.orgSlug)).rejects.toMatchObject({ code: 'not_found' });
  });
});
