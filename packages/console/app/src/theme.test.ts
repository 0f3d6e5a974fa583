import { inkFor, isHexColor, luminance, textColorFor } from './theme';

describe('theme', () => {
  it('applies only lower-case #rrggbb colours', () => {
    expect(isHexColor('#c0ffee')).toBe(true);
    for (const bad of ['#C0FFEE', '#abc', 'red', 'url(x)', '#c0ffee;x:y', undefined])
      expect(isHexColor(bad)).toBe(false);
  });

  it('picks the readable ink: white on dark colours, dark on light ones', () => {
    expect(luminance('#000000')).toBe(0);
    expect(luminance('#ffffff')).toBeCloseTo(1);
    expect(inkFor('#1f5f8b')).toBe('#ffffff');
    expect(inkFor('#000000')).toBe('#ffffff');
    expect(inkFor('#c0ffee')).toBe('#1d2430');
    expect(inkFor('#ffff00')).toBe('#1d2430');
  });

  it('keeps links in the primary colour only where it is readable on white', () => {
    expect(textColorFor('#1f5f8b')).toBe('#1f5f8b');
    expect(textColorFor('#c0ffee')).toBe('#1d2430');
  });
});
