import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { openApiPath, responseChecker } from '../../openapi-check.js';
import { contentHashOf, importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';

async function documentOf(t: { app: { request: (url: string) => Response | Promise<Response> } }) {
  const res = await t.app.request('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  return res.json();
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document (swagger-parser), with bearer auth, the purpose and emergency headers and problem+json', async () => {
    const doc = await documentOf(await testApp());
    expect(doc.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(doc));
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const view = doc.paths['/api/v1/plans/{planId}'].get;
    expect(view.security).toEqual([{ bearerAuth: [] }]);
    const headers = Object.fromEntries(view.parameters.filter((p: any) => p.in === 'header').map((p: any) => [p.name, p.required]));
    expect(headers).toEqual({ 'X-Access-Purpose': true, 'X-Emergency-Access': false });
    expect(Object.keys(view.responses).sort()).toEqual(['200', '400', '401', '403', '404', '410', '503']);
    expect(view.responses['404'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
    expect(view.responses['404'].content['application/problem+json'].example).toMatchObject({ status: 404, code: 'not_found' });
    // A write carries no purpose header; an audit read takes it optionally.
    expect(doc.paths['/api/v1/plans'].post.parameters ?? []).toEqual([]);
    expect(doc.paths['/api/v1/audit/events'].get.parameters.find((p: any) => p.name === 'X-Access-Purpose').required).toBe(false);
    expect(doc.paths['/api/v1/plans'].post.responses['413']).toBeDefined();
    // An approval names the content read (issue 20): the body and its 409 are in the document.
    const approve = doc.paths['/api/v1/plans/{planId}/versions/{version}/approve'].post;
    expect(approve.requestBody.required).toBe(true);
    const body = approve.requestBody.content['application/json'].schema;
    const approveBody = body.$ref ? doc.components.schemas[body.$ref.split('/').at(-1)] : body;
    expect(approveBody).toMatchObject({
      required: ['contentHash'],
      properties: { contentHash: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    });
    expect(approve.description).toContain('content-changed');
    expect(Object.keys(approve.responses)).toContain('409');
  });

  it('documents every /api/v1 route the app registers, and nothing else', async () => {
    const t = await testApp();
    const doc = await documentOf(t);
    const registered = new Set(
      t.app.routes
        .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL')
        .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item as object).map((m) => `${m} ${path}`)));
    expect(registered.size).toBeGreaterThan(30);
    expect([...registered].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((d) => !registered.has(d))).toEqual([]);
  });

  it('real answers (plan view, search, history, workflow, cards, errors) match the documented schemas and statuses', async () => {
    const t = await testApp();
    const check = responseChecker(await documentOf(t));
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const problems: string[] = [];
    const call = async (
      w: Parameters<typeof t.call>[0],
      method: string,
      url: string,
      route: string,
      opts: Parameters<typeof t.call>[3] = {},
    ) => {
      const res = await t.call(w, method, url, opts);
      problems.push(...check(method, route, res));
      return res;
    };
    const statuses = [
      (await call(who.officer, 'GET', `/api/v1/plans/${planId}`, '/api/v1/plans/:planId')).status,
      (await call(who.nurse, 'GET', `/api/v1/plans/${planId}`, '/api/v1/plans/:planId')).status,
      (await call(who.officer, 'GET', `/api/v1/plans?externalRef=SB-000001&org=southbank-mh`, '/api/v1/plans')).status,
      (await call(who.officer, 'GET', `/api/v1/search?q=Aoife`, '/api/v1/search')).status,
      (await call(who.author, 'GET', `/api/v1/plans/${planId}/versions`, '/api/v1/plans/:planId/versions')).status,
      (await call(who.author, 'GET', `/api/v1/plans/${planId}/versions/1`, '/api/v1/plans/:planId/versions/:version')).status,
      (await call(who.author, 'POST', `/api/v1/plans/${planId}/versions`, '/api/v1/plans/:planId/versions', { body: {} })).status,
      (await call(who.author, 'POST', `/api/v1/plans/${planId}/versions/2/submit`, '/api/v1/plans/:planId/versions/:version/submit'))
        .status,
      (
        await call(who.approver, 'POST', `/api/v1/plans/${planId}/versions/2/approve`, '/api/v1/plans/:planId/versions/:version/approve', {
          body: { contentHash: await contentHashOf(t.db, planId, 2) },
        })
      ).status,
      (await call(who.author, 'GET', `/api/v1/plans/${planId}/diff?from=1&to=2`, '/api/v1/plans/:planId/diff')).status,
      (await call(who.author, 'POST', '/api/v1/plans', '/api/v1/plans', { body: planBody({ externalRef: 'SB-000002' }) })).status,
      (await call(who.author, 'GET', `/api/v1/plans/${planId}/cards`, '/api/v1/plans/:planId/cards')).status,
      (await call(who.auditor, 'GET', '/api/v1/audit/flags', '/api/v1/audit/flags')).status,
      (await call(who.admin, 'GET', '/api/v1/admin/organisations', '/api/v1/admin/organisations')).status,
      // Refusals: no such plan, no agreement, a bad id, no purpose, no token, a workflow conflict, a gone card.
      (await call(who.officer, 'GET', '/api/v1/plans/AAAAAAAAAAAAAAAA', '/api/v1/plans/:planId')).status,
      (await call(who.outsider, 'GET', `/api/v1/plans/${planId}`, '/api/v1/plans/:planId')).status,
      (await call(who.officer, 'GET', '/api/v1/plans/not-an-id', '/api/v1/plans/:planId')).status,
      (await call(who.officer, 'GET', `/api/v1/plans/${planId}`, '/api/v1/plans/:planId', { purpose: null })).status,
      (await call(null, 'GET', `/api/v1/search?q=Aoife`, '/api/v1/search')).status,
      (
        await call(who.approver, 'POST', `/api/v1/plans/${planId}/versions/2/approve`, '/api/v1/plans/:planId/versions/:version/approve', {
          body: { contentHash: await contentHashOf(t.db, planId, 2) },
        })
      ).status,
      (await call(who.author, 'GET', `/api/v1/plans/${planId}/cards/current.pdf`, '/api/v1/plans/:planId/cards/:file')).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 201, 200, 200, 200, 201, 200, 200, 200, 404, 403, 400, 400, 401, 409, 410]);
    expect(problems).toEqual([]);
  });

  it('states the rules the server enforces: purpose length, real dates, the check digit, date order, rules across fields and parameters', async () => {
    const doc = await documentOf(await testApp());
    const purpose = doc.paths['/api/v1/plans/{planId}'].get.parameters.find((p: any) => p.name === 'X-Access-Purpose');
    expect(purpose.schema).toMatchObject({ minLength: 3, maxLength: 200 });
    expect(new RegExp(purpose.schema.pattern, 'u').test('INC-1\u200Bx')).toBe(false);
    const plan = doc.paths['/api/v1/plans'].post.requestBody.content['application/json'].schema;
    expect(plan.properties.subject.properties.nhsNumber).toMatchObject({ 'x-check-digit': 'nhs-modulus-11' });
    expect(plan.properties.subject.properties.nhsNumber.description).toContain('check digit');
    expect(plan.properties.subject.properties.dateOfBirth).toMatchObject({
      format: 'date',
      'x-not-before': '1900-01-01',
      'x-not-after': 'today',
    });
    expect(plan.properties.governance).toMatchObject({ then: { required: ['agreedBySubjectOn'] } });
    const agreement = doc.paths['/api/v1/admin/agreements'].post.requestBody.content['application/json'].schema;
    expect(agreement['x-date-order']).toEqual(['validFrom', 'validTo']);
    expect(agreement.description).toContain('validTo');
    const search = doc.paths['/api/v1/search'].get;
    expect(search['x-query-schema']).toMatchObject({ dependentRequired: { within: ['near'] } });
    expect(search.parameters.find((p: any) => p.name === 'dob').schema.anyOf).toHaveLength(3);
    expect(doc.paths['/api/v1/plans/{planId}/cards/{file}'].get.parameters.find((p: any) => p.name === 'file').schema.enum).toEqual([
      'current.pdf',
      'current.png',
      'current.svg',
    ]);
    // No body is read as {}: where {} is a valid body (a new draft from the published version), it is optional.
    expect(doc.paths['/api/v1/plans/{planId}/versions'].post.requestBody.required).toBe(false);
    expect(doc.paths['/api/v1/plans'].post.requestBody.required).toBe(true);
    // Every operation refuses query parameters it does not list, so every one documents a 400.
    for (const [path, item] of Object.entries<any>(doc.paths))
      for (const [method, op] of Object.entries<any>(item)) expect(op.responses['400'], `${method} ${path}`).toBeDefined();
  });

  it('refuses an optional purpose sent with a value its schema refuses, rather than reading without it', async () => {
    const t = await testApp();
    // Header values travel as bytes: the zero-width space as its UTF-8, one latin1 character per byte.
    for (const purpose of ['x', ' ab ', Buffer.from('INC-1\u200B2', 'utf8').toString('latin1')]) {
      const res = await t.call(who.auditor, 'GET', '/api/v1/audit/flags', { purpose });
      expect([res.status, res.json.code, res.json.in], purpose).toEqual([400, 'invalid', 'header']);
    }
    expect((await t.call(who.auditor, 'GET', '/api/v1/audit/flags', { purpose: null })).status).toBe(200);
    expect((await t.call(who.auditor, 'GET', '/api/v1/audit/flags', { purpose: 'INC-2026-0042 review' })).status).toBe(200);
  });

  it('the checker catches an answer that does not match (a real view with a field removed, an undocumented status)', async () => {
    const t = await testApp();
    const check = responseChecker(await documentOf(t));
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const res = await t.call(who.officer, 'GET', `/api/v1/plans/${await planIdOf(t.db, 'SB-000001')}`);
    const { notice: _n, ...withoutNotice } = res.json;
    expect(check('GET', '/api/v1/plans/:planId', { ...res, json: withoutNotice }).join()).toContain('notice');
    expect(check('GET', '/api/v1/plans/:planId', { ...res, status: 418 }).join()).toContain('not documented');
  });
});
