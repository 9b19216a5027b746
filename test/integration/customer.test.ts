import { fixtureDataset, LINA, NOW, TOM } from '../fixtures/crm';
import { apiSuite } from '../helpers/suite';
import { graphql } from '../__generated__';

const suite = apiSuite('customer', fixtureDataset(), { clock: () => NOW });

const PROFILE = graphql(`
  query Profile($id: ID!) {
    customer(id: $id) {
      id
      createdAt
      status
      profile {
        fullName
        gender
        birthDate
        age
        city
        country
        occupation
      }
      contact {
        email
        phone
      }
      identities {
        kind
        value
        verified
        firstSeenAt
      }
      consents {
        purpose
        granted
        updatedAt
        source
      }
    }
  }
`);

describe('Query.customer', () => {
  it('returns the whole profile, with contact details cleaned', async () => {
    const { status, body } = await suite.api.gql(PROFILE, { id: LINA });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.customer).toEqual({
      id: LINA,
      createdAt: '2024-03-01T08:00:00.000Z',
      status: 'ACTIVE',
      // Born 1990-06-16; on 2026-06-15 the 36th birthday is tomorrow.
      profile: {
        fullName: '李娜',
        gender: 'FEMALE',
        birthDate: '1990-06-16',
        age: 35,
        city: 'Shanghai',
        country: 'CN',
        occupation: 'designer',
      },
      // Stored as " Lina@Example.COM " and "138 0013 8000".
      contact: { email: 'lina@example.com', phone: '+8613800138000' },
      identities: [
        { kind: 'ANONYMOUS_ID', value: 'anon-lina', verified: false, firstSeenAt: '2024-03-02T08:00:00.000Z' },
        { kind: 'DEVICE_ID', value: 'dev-lina-1', verified: false, firstSeenAt: '2024-04-01T08:00:00.000Z' },
        { kind: 'EMAIL', value: 'lina@example.com', verified: true, firstSeenAt: '2024-03-01T08:00:00.000Z' },
        { kind: 'EXTERNAL_ID', value: 'EXT-001', verified: true, firstSeenAt: '2024-03-01T08:00:00.000Z' },
        { kind: 'SOCIAL', value: 'weibo:lina_88', verified: true, firstSeenAt: '2024-05-01T08:00:00.000Z' },
      ],
      // No partner_sharing row: reported as not granted.
      consents: [
        { purpose: 'PROFILING', granted: true, updatedAt: '2024-03-01T08:00:00.000Z', source: 'web' },
        { purpose: 'MARKETING', granted: false, updatedAt: '2025-01-01T08:00:00.000Z', source: 'app' },
        { purpose: 'PARTNER_SHARING', granted: false, updatedAt: null, source: null },
      ],
    });
  });

  it('formats a foreign phone in E.164 and reads the age after the birthday', async () => {
    const { body } = await suite.api.gql(
      graphql(`
        query Contact($id: ID!) {
          customer(id: $id) {
            profile {
              age
            }
            contact {
              email
              phone
            }
          }
        }
      `),
      { id: TOM },
    );
    // Born 1985-01-31: 41 on 2026-06-15.
    expect(body.data!.customer).toEqual({ profile: { age: 41 }, contact: { email: 'tom.baker@example.org', phone: '+14155550132' } });
  });

  it('answers null for an unknown id, without an error', async () => {
    const { body } = await suite.api.gql(PROFILE, { id: 'c_nobody' });
    expect(body).toEqual({ data: { customer: null } });
  });
});
