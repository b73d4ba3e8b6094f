/** Languages of everything vigil writes for people: `en`, or `ru` with the original's wording. */
export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

/** The Intl locale each language formats numbers and dates with. */
export const INTL_LOCALE: Readonly<Record<Locale, string>> = { en: 'en-GB', ru: 'ru-RU' };
