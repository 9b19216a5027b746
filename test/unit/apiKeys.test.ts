import { checkNewApiKey } from '../../src/security/apiKeys';

describe('checkNewApiKey', () => {
  it('names the valid scopes when one is unknown (a CLI user types them)', () => {
    expect(() => checkNewApiKey({ partner: 'Acme', scopes: ['profil' as never], ratePerMinute: 60 })).toThrow(
      'Unknown scopes: profil (valid: profile, contact, identities, orders, support, behaviour, social, insights, recommendations).',
    );
  });
});
