/**
 * ISO 4217 numeric codes and minor units of the currencies a carrier is likely to price in.
 * RFC 4006 §8.11 Currency-Code carries the numeric code; the minor units give the Exponent of the
 * Unit-Value for an amount in minor units (199 USD cents = 199 × 10^-2).
 */
export interface CurrencyInfo {
  readonly numeric: number;
  readonly minorUnits: number;
}

const TABLE: Readonly<Record<string, CurrencyInfo>> = {
  AED: { numeric: 784, minorUnits: 2 },
  ARS: { numeric: 32, minorUnits: 2 },
  AUD: { numeric: 36, minorUnits: 2 },
  BHD: { numeric: 48, minorUnits: 3 },
  BRL: { numeric: 986, minorUnits: 2 },
  CAD: { numeric: 124, minorUnits: 2 },
  CHF: { numeric: 756, minorUnits: 2 },
  CLP: { numeric: 152, minorUnits: 0 },
  CNY: { numeric: 156, minorUnits: 2 },
  COP: { numeric: 170, minorUnits: 2 },
  CZK: { numeric: 203, minorUnits: 2 },
  DKK: { numeric: 208, minorUnits: 2 },
  EGP: { numeric: 818, minorUnits: 2 },
  EUR: { numeric: 978, minorUnits: 2 },
  GBP: { numeric: 826, minorUnits: 2 },
  HKD: { numeric: 344, minorUnits: 2 },
  HUF: { numeric: 348, minorUnits: 2 },
  IDR: { numeric: 360, minorUnits: 2 },
  ILS: { numeric: 376, minorUnits: 2 },
  INR: { numeric: 356, minorUnits: 2 },
  JOD: { numeric: 400, minorUnits: 3 },
  JPY: { numeric: 392, minorUnits: 0 },
  KES: { numeric: 404, minorUnits: 2 },
  KRW: { numeric: 410, minorUnits: 0 },
  KWD: { numeric: 414, minorUnits: 3 },
  MAD: { numeric: 504, minorUnits: 2 },
  MXN: { numeric: 484, minorUnits: 2 },
  MYR: { numeric: 458, minorUnits: 2 },
  NGN: { numeric: 566, minorUnits: 2 },
  NOK: { numeric: 578, minorUnits: 2 },
  NZD: { numeric: 554, minorUnits: 2 },
  OMR: { numeric: 512, minorUnits: 3 },
  PHP: { numeric: 608, minorUnits: 2 },
  PKR: { numeric: 586, minorUnits: 2 },
  PLN: { numeric: 985, minorUnits: 2 },
  QAR: { numeric: 634, minorUnits: 2 },
  RON: { numeric: 946, minorUnits: 2 },
  SAR: { numeric: 682, minorUnits: 2 },
  SEK: { numeric: 752, minorUnits: 2 },
  SGD: { numeric: 702, minorUnits: 2 },
  THB: { numeric: 764, minorUnits: 2 },
  TND: { numeric: 788, minorUnits: 3 },
  TRY: { numeric: 949, minorUnits: 2 },
  TWD: { numeric: 901, minorUnits: 2 },
  UAH: { numeric: 980, minorUnits: 2 },
  USD: { numeric: 840, minorUnits: 2 },
  VND: { numeric: 704, minorUnits: 0 },
  ZAR: { numeric: 710, minorUnits: 2 },
};

/** The numeric code and minor units of an ISO 4217 alphabetic code, or null when not in the table. */
export function currencyInfo(alphabetic: string): CurrencyInfo | null {
  return Object.hasOwn(TABLE, alphabetic) ? (TABLE[alphabetic] ?? null) : null;
}

/** The alphabetic code of a numeric one, or null. */
export function currencyAlphabetic(numeric: number): string | null {
  return Object.entries(TABLE).find(([, info]) => info.numeric === numeric)?.[0] ?? null;
}
