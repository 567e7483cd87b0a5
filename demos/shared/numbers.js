// Whole numbers with thousands separators ("12,345") without toLocaleString: its first call loads ICU's locale data,
// a task of tens of milliseconds on a phone, in the middle of training or loading.
export const withCommas = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',');
