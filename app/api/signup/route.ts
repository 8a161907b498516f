import { parseJson, withPublic } from '@/lib/api/handler';
import { signUpBody } from '@/lib/schemas/orgs';
import { checkSignUpAllowed, clientIp, recordSignUp } from '@/lib/users/rate-limit';
import { createUserWithPersonalOrg } from '@/lib/users/users';

export const dynamic = 'force-dynamic';

/** Creates an account and its personal org. Signing in afterwards is Auth.js's job. */
export const POST = withPublic(async ({ req }) => {
  const ip = clientIp(req);
  await checkSignUpAllowed(ip);
  const body = await parseJson(req, signUpBody);
  const { user, org } = await createUserWithPersonalOrg(body);
  await recordSignUp(ip);
  return Response.json({ user: { id: user.id, email: user.email, name: user.name }, org: { slug: org.slug } }, { status: 201 });
});
