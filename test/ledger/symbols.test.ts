import { describe, expect, it } from 'vitest';
import { GATEWAY_ROOT_TO_TICKER, symbolOf, symbolFromName, tickerForRoot } from '../../src/ledger/symbols.ts';
import type { Contract } from '../../src/gateway/models.ts';

const c = (id: string, name: string, symbolId: string): Contract => ({
  id, name, symbolId, description: '', tickSize: 0.25, tickValue: 0.5, activeContract: true,
});

describe('symbols', () => {
  it('maps every gateway root of the reference table to its ticker', () => {
    const table: [string, string][] = [
      ['EP', 'ES'], ['ENQ', 'NQ'], ['GCE', 'GC'], ['CLE', 'CL'], ['MCLE', 'MCL'], ['NGE', 'NG'], ['CPE', 'HG'],
      ['SIE', 'SI'], ['EU6', '6E'], ['BP6', '6B'], ['DA6', '6A'], ['JY6', '6J'], ['TYA', 'ZN'], ['FVA', 'ZF'],
      ['TUA', 'ZT'], ['USA', 'ZB'], ['ULA', 'UB'], ['ZCE', 'ZC'], ['ZSE', 'ZS'], ['ZWA', 'ZW'],
    ];
    for (const [root, ticker] of table) {
      expect(tickerForRoot(root)).toBe(ticker);
      expect(symbolOf(`CON.F.US.${root}.U26`)).toBe(ticker);
    }
    expect(Object.keys(GATEWAY_ROOT_TO_TICKER)).toHaveLength(table.length);
  });

  it('keeps micro roots as they are', () => {
    for (const m of ['MNQ', 'MES', 'M2K', 'MYM', 'MGC', 'SIL', 'MHG', 'MNG']) expect(symbolOf(`CON.F.US.${m}.Z25`)).toBe(m);
  });

  it('derives the symbol from the contract name minus month code and year digit', () => {
    expect(symbolFromName('MNQZ5')).toBe('MNQ');
    expect(symbolFromName('6JU6')).toBe('6J');
    expect(symbolFromName('M2KZ5')).toBe('M2K');
    expect(symbolFromName('ESU26')).toBe('ES');
    expect(symbolFromName('garbage')).toBeUndefined();
    expect(symbolOf('CON.F.US.EP.U26', c('CON.F.US.EP.U26', 'ESU6', 'F.US.EP'))).toBe('ES');
    expect(symbolOf('CON.F.US.MCLE.V26', c('CON.F.US.MCLE.V26', 'MCLV6', 'F.US.MCLE'))).toBe('MCL');
    expect(symbolOf('CON.F.US.NQG.Q25', c('CON.F.US.NQG.Q25', 'QGQ5', 'F.US.NQG'))).toBe('QG');
  });

  it('falls back to the symbolId root, then the contractId root', () => {
    expect(symbolOf('X', c('X', '', 'F.US.TYA'))).toBe('ZN');
    expect(symbolOf('CON.F.US.ENQ.H26')).toBe('NQ');
  });

  it('counts every expiry of a symbol as the same symbol', () => {
    expect(symbolOf('CON.F.US.MNQ.Z25')).toBe(symbolOf('CON.F.US.MNQ.H26'));
    expect(symbolOf('CON.F.US.EP.Z25', c('CON.F.US.EP.Z25', 'ESZ5', 'F.US.EP'))).toBe(symbolOf('CON.F.US.EP.H26'));
  });
});
