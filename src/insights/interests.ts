/** Category weights (decayed sums from the behaviour source), normalised to sum 1; the top `first`, highest first. */
export function interests(rows: { category: string; weight: number }[], first: number): { category: string; weight: number }[] {
  const total = rows.reduce((sum, r) => sum + r.weight, 0);
  if (total <= 0) return [];
  return rows
    .map((r) => ({ category: r.category, weight: r.weight / total }))
    .sort((a, b) => b.weight - a.weight || a.category.localeCompare(b.category))
    .slice(0, first);
}
