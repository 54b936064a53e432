/** The page's ink and grid colours for Chart.js (from the CSS variables, so charts follow dark mode). */
export function chartTheme(canvas: HTMLCanvasElement): { ink: string; grid: string } {
  const style = getComputedStyle(canvas);
  return { ink: style.getPropertyValue('--ink').trim() || '#1f2937', grid: style.getPropertyValue('--line').trim() || '#e5e7eb' };
}
