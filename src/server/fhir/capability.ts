import type { CapabilityStatement } from '@medplum/fhirtypes';
import { FHIR_JSON } from './systems.js';

/** Exactly what /fhir/R4 serves: two reads, two searches, JSON only. Built once (it never changes). */
export function capabilityStatement(date: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'Response-plan lookup service',
    kind: 'instance',
    software: { name: 'response-plan-lookup' },
    implementation: { description: 'Mental-health crisis response plans, read-only' },
    fhirVersion: '4.0.1',
    format: [FHIR_JSON, 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          "Every request carries Authorization: Bearer <JWT> from the caller's organisation; CarePlan requests also carry X-Access-Purpose (an incident reference or reason). Every request is written to the access log.",
        security: {
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] }],
          description: "Bearer JWTs from each organisation's identity provider; per-plan and per-section authorisation as in the JSON API.",
        },
        resource: [
          {
            type: 'CarePlan',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: [
              {
                name: 'identifier',
                type: 'token',
                documentation: 'urn:response-plans:org:<owning organisation slug>|<external reference>; exactly one',
              },
            ],
          },
          {
            type: 'AuditEvent',
            supportedProfile: [
              'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead',
              'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery',
            ],
            interaction: [{ code: 'search-type' }],
            searchParam: [
              { name: 'entity', type: 'reference', documentation: 'CarePlan/<planId>; required; auditors of the owning organisation only' },
              { name: 'date', type: 'date', documentation: 'ge and le prefixes only, at most one of each' },
              { name: '_count', type: 'number', documentation: '1–500, default 100; newest first' },
              { name: '_cursor', type: 'number', documentation: "from the previous page's next link" },
            ],
          },
        ],
      },
    ],
  };
}
