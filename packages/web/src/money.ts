const numbers = new Intl.NumberFormat('en');

/** A Money value (an exact decimal string, "2912.60") with thousands separators and its digits as given: 509.00 stays 509.00. */
export const money = (amount: string, currency = '') => {
  const [whole = '0', fraction] = amount.split('.');
  return `${currency ? currency + ' ' : ''}${numbers.format(BigInt(whole))}${fraction === undefined ? '' : `.${fraction}`}`;
};
