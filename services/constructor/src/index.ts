/** @packageDocumentation The scheduler: turns pending plans into steps, places instances, drives them */
export {};
