import { AppSKeyKek, AppSKeyKekResolver, chooseAppSKeyKek, OwnerAppSKeyKekResolver } from './owner-hooks';

const DEV_EUI = '0101010101010101';
const wrap = (kekLabel: string): AppSKeyKek => ({
  kind: 'wrap',
  wrapping: { kekLabel, kek: Buffer.alloc(16) },
});

function owner(answer: AppSKeyKek, named?: string): OwnerAppSKeyKekResolver {
  return { appSKeyKekFor: () => answer, namedKekLabel: () => named } as OwnerAppSKeyKekResolver;
}
function application(answer: AppSKeyKek): AppSKeyKekResolver & { asked: number } {
  const r = {
    asked: 0,
    appSKeyKekFor: () => {
      r.asked++;
      return answer;
    },
  };
  return r;
}

describe('chooseAppSKeyKek', () => {
  it("takes the owner's AS key before the application's", () => {
    const app = application(wrap('astk-app'));
    expect(chooseAppSKeyKek(DEV_EUI, owner(wrap('js-astk-1'), 'js-astk-1'), app)).toEqual(wrap('js-astk-1'));
    expect(app.asked).toBe(0);
  });

  it("fails closed on the owner's revoked key: the application's key does not stand in for it", () => {
    const refused: AppSKeyKek = { kind: 'unavailable', reason: 'AS key js-astk-1 was revoked' };
    expect(chooseAppSKeyKek(DEV_EUI, owner(refused, 'js-astk-1'), application(wrap('astk-app')))).toEqual(
      refused,
    );
  });

  it("asks the application when the owner named no key of this join server (apps/lns's own ASTK)", () => {
    expect(
      chooseAppSKeyKek(DEV_EUI, owner({ kind: 'none' }, 'astk-app'), application(wrap('astk-app'))),
    ).toEqual(wrap('astk-app'));
    expect(chooseAppSKeyKek(DEV_EUI, owner({ kind: 'none' }), application({ kind: 'none' }))).toEqual({
      kind: 'none',
    });
    expect(chooseAppSKeyKek(DEV_EUI, undefined, undefined)).toEqual({ kind: 'none' });
  });

  it('refuses when the owner named a key nobody here holds: never the network server’s KEK or clear', () => {
    expect(
      chooseAppSKeyKek(DEV_EUI, owner({ kind: 'none' }, 'elsewhere'), application({ kind: 'none' })),
    ).toEqual({
      kind: 'unavailable',
      reason: `the device's owner asked for its AppSKey wrapped under KEK "elsewhere", which this join server does not hold`,
    });
  });

  it('asks a resolver that is both (the standalone join server) once', () => {
    const both = owner({ kind: 'none' }) as OwnerAppSKeyKekResolver & { asked?: number };
    let asked = 0;
    both.appSKeyKekFor = () => {
      asked++;
      return { kind: 'none' };
    };
    expect(chooseAppSKeyKek(DEV_EUI, both, both)).toEqual({ kind: 'none' });
    expect(asked).toBe(1);
  });
});
