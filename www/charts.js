// Chart options, one function per chart, fed by engine output. Shared by the
// web page and the mini-program (the build writes a CommonJS copy to
// miniprogram/lib/charts.js). No DOM and no number of its own: values come
// from the engine and are only rounded for display; colours come from THEME.

/** The one palette. `dark` overrides what must change on a dark background. */
export const THEME = {
  reserve: '#b71c1c',
  target: '#1565c0',
  peer: '#757575',
  after: '#2e7d32',
  before: '#757575',
  heat: ['#fff5f5', '#b71c1c'],
  bar: '#b71c1c',
  ok: '#2e7d32',
  text: '#333333',
  dark: {
    reserve: '#ef5350',
    target: '#64b5f6',
    peer: '#bdbdbd',
    after: '#66bb6a',
    before: '#bdbdbd',
    heat: ['#2b1111', '#e53935'],
    bar: '#ef5350',
    ok: '#66bb6a',
    text: '#e0e0e0',
    gridArea: '#1f1f1f',
    gridAreaAlt: '#262626',
    gridLine: '#3a3a3a',
  },
};

/** The palette for a light or dark background. */
export function palette(dark = false) {
  return dark ? { ...THEME, ...THEME.dark } : THEME;
}

const r1 = (x) => +Number(x).toFixed(1);
const r2 = (x) => +Number(x).toFixed(2);
/** Long dimension names on two lines (履职能力与专业知识 on a phone). */
const wrapLong = (name) => (name.length > 6 ? `${name.slice(0, Math.ceil(name.length / 2))}\n${name.slice(Math.ceil(name.length / 2))}` : name);
/** The radar's rings and spokes: ECharts' defaults on light, darker ones on dark. */
const radarGrid = (c) => (c === THEME ? {} : {
  splitArea: { areaStyle: { color: [c.gridArea, c.gridAreaAlt] } },
  splitLine: { lineStyle: { color: c.gridLine } },
  axisLine: { lineStyle: { color: c.gridLine } },
});
// Text keeps ECharts' default colour on light backgrounds (the web page's look).
const textStyle = (c) => (c === THEME ? {} : { color: c.text });
/**
 * A heatmap cell's tooltip naming the cell (`name(x, y)`, plain text) and its
 * value, drawn in the canvas (richText) on the web page and in the
 * mini-program alike, so no name is ever read as HTML.
 */
const cellTooltip = (name) => ({ renderMode: 'richText', confine: true, formatter: (p) => `${name(p.value[0], p.value[1])}：${p.value[2]}` });

/**
 * A phone's radar tooltip: the series, then one short line per dimension
 * (name：value, plain text drawn in the canvas), small enough that all of
 * them fit inside the chart.
 */
const compactRadarTooltip = (dims) => ({
  renderMode: 'richText',
  confine: true,
  padding: 6,
  textStyle: { fontSize: 11, lineHeight: 15 },
  formatter: (p) => [p.name, ...dims.map((d, i) => `${d.dimension}：${p.value[i]}`)].join('\n'),
});

/**
 * A cadre's radar: reserve, post target (dashed), peer median (dotted) and,
 * when `simulation` (engine `simulate`) is given, the predicted reserve after
 * the course in green.
 */
export function radarOption(profile, { simulation = null, dark = false, compact = false } = {}) {
  const c = palette(dark);
  const dims = profile.dimensions;
  const series = [
    { name: '储备度', value: dims.map((d) => r1(d.reserve)), areaStyle: { opacity: 0.25 }, itemStyle: { color: c.reserve } },
    { name: '岗位目标', value: dims.map((d) => d.target ?? 0), lineStyle: { type: 'dashed' }, itemStyle: { color: c.target } },
    { name: '同职级中位数', value: dims.map((d) => r1(d.peer_median ?? 0)), lineStyle: { type: 'dotted' }, itemStyle: { color: c.peer } },
  ];
  if (simulation) series.push({ name: '学习后（预测）', value: simulation.after.map(r1), itemStyle: { color: c.after }, areaStyle: { opacity: 0.1 } });
  return {
    animation: false,
    legend: { bottom: 0, data: series.map((s) => s.name), textStyle: textStyle(c), ...(compact ? { itemWidth: 14, itemHeight: 8, textStyle: { ...textStyle(c), fontSize: 10 } } : {}) },
    // Kept inside the chart: on a phone's canvas a tooltip past its edge loses its first lines.
    tooltip: compact ? compactRadarTooltip(dims) : { confine: true },
    radar: {
      indicator: dims.map((d) => ({ name: d.dimension, max: 100 })),
      radius: compact ? '50%' : '60%',
      center: ['50%', compact ? '46%' : '50%'],
      axisName: { fontSize: compact ? 9 : 11, ...textStyle(c), ...(compact ? { formatter: wrapLong } : {}) },
      ...radarGrid(c),
    },
    series: [{ type: 'radar', data: series }],
  };
}

/** The reserve per dimension at each year-end and at the as-of date. */
export function trendOption(profile, { dark = false } = {}) {
  const c = palette(dark);
  const t = profile.trend;
  const dims = profile.dimensions.map((d) => d.dimension);
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0, textStyle: textStyle(c) },
    grid: { left: 36, right: 12, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: t.map((p) => p.date), axisLabel: textStyle(c) },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: textStyle(c) },
    series: dims.map((d) => ({ name: d, type: 'line', data: t.map((p) => r1(p.reserves[d])) })),
  };
}

/** A unit's 学时 per dimension per year (engine `layout`). */
export function layoutHeatmapOption(layout, { dark = false, compact = false } = {}) {
  const c = palette(dark);
  return {
    animation: false,
    tooltip: { position: 'top', ...cellTooltip((x, y) => `${layout.dimensions[y].dimension}\n${layout.years[x]} 年 学时`) },
    // The labels inside the grid (a long dimension name is not cut); below it, room for the
    // draggable visualMap, whose end values sit above its bar (they overlapped the years).
    grid: { left: 8, right: compact ? 8 : 16, top: 10, bottom: 72, containLabel: true },
    xAxis: { type: 'category', data: layout.years.map(String), axisLabel: textStyle(c) },
    yAxis: { type: 'category', data: layout.dimensions.map((d) => d.dimension), axisLabel: { ...textStyle(c), ...(compact ? { fontSize: 10 } : {}) } },
    visualMap: {
      min: 0,
      max: Math.max(1, ...layout.dimensions.flatMap((d) => d.hours_by_year)),
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      textStyle: textStyle(c),
      inRange: { color: c.heat },
    },
    series: [{ type: 'heatmap', data: layout.dimensions.flatMap((d, y) => d.hours_by_year.map((h, x) => [x, y, +h.toFixed(0)])), label: { show: true, ...(compact ? { fontSize: 9 } : {}) } }],
  };
}

/**
 * Top-level units' mean reserve per dimension (engine `city_ranking`).
 * `compact` (a phone): units down the side, one row each, dimensions across.
 */
export function cityHeatmapOption(ranking, { dark = false, compact = false } = {}) {
  const c = palette(dark);
  const tops = ranking[0] ? ranking[0][1].map((u) => u.unit_name) : [];
  const dims = ranking.map((x) => x[0]);
  if (compact) {
    return {
      animation: false,
      tooltip: cellTooltip((x, y) => `${tops[y]}\n${dims[x]} 平均储备度`),
      grid: { left: 8, right: 8, top: 8, bottom: 44, containLabel: true },
      xAxis: { type: 'category', position: 'top', data: ranking.map((x) => x[0]), axisLabel: { rotate: 90, fontSize: 10, interval: 0, ...textStyle(c) } },
      yAxis: { type: 'category', inverse: true, data: tops, axisLabel: { fontSize: 10, interval: 0, ...textStyle(c) } },
      visualMap: { min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, textStyle: textStyle(c), inRange: { color: c.heat } },
      series: [{ type: 'heatmap', data: ranking.flatMap(([, us], x) => us.map((u) => [x, tops.indexOf(u.unit_name), r1(u.mean_reserve)])) }],
    };
  }
  return {
    animation: false,
    tooltip: cellTooltip((x, y) => `${tops[x]}\n${dims[y]} 平均储备度`),
    grid: { left: compact ? 96 : 120, right: compact ? 8 : 16, top: 10, bottom: 90 },
    xAxis: { type: 'category', data: tops, axisLabel: { rotate: 45, fontSize: 10, ...textStyle(c) } },
    yAxis: { type: 'category', data: ranking.map((x) => x[0]), axisLabel: { ...textStyle(c), ...(compact ? { fontSize: 10 } : {}) } },
    visualMap: { min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, textStyle: textStyle(c), inRange: { color: c.heat } },
    series: [{ type: 'heatmap', data: ranking.flatMap(([, us], y) => us.map((u) => [tops.indexOf(u.unit_name), y, r1(u.mean_reserve)])) }],
  };
}

/** 学时 compliance per rule in percent (engine `compliance`, rules that apply to someone). */
export function complianceBarOption(compliance, { dark = false, compact = false } = {}) {
  const c = palette(dark);
  const rules = compliance.by_rule.filter((r) => r.applicable > 0);
  return {
    animation: false,
    tooltip: {},
    grid: { left: compact ? 150 : 360, right: 48, top: 10, bottom: 24 },
    xAxis: { type: 'value', max: 100, axisLabel: textStyle(c) },
    yAxis: { type: 'category', inverse: true, data: rules.map((r) => r.name), axisLabel: { ...textStyle(c), ...(compact ? { fontSize: 10, width: 140, overflow: 'truncate' } : {}) } },
    series: [{ type: 'bar', data: rules.map((r) => r1(r.rate * 100)), itemStyle: { color: c.ok }, label: { show: true, position: 'right', formatter: '{c}%', ...textStyle(c) } }],
  };
}

/** A rating row's 1–5 distribution and mean per year (engine `ratings` row). */
export function ratingDetailOption(row, { dark = false } = {}) {
  const c = palette(dark);
  return {
    animation: false,
    tooltip: {},
    grid: [{ left: 40, right: '55%', top: 20, bottom: 30 }, { left: '55%', right: 20, top: 20, bottom: 30 }],
    xAxis: [{ type: 'category', data: ['1★', '2★', '3★', '4★', '5★'], gridIndex: 0 }, { type: 'category', data: row.by_year.map((y) => String(y[0])), gridIndex: 1 }],
    yAxis: [{ type: 'value', gridIndex: 0 }, { type: 'value', min: 1, max: 5, gridIndex: 1 }],
    series: [
      { type: 'bar', data: row.distribution, xAxisIndex: 0, yAxisIndex: 0, itemStyle: { color: c.bar } },
      { type: 'line', data: row.by_year.map((y) => +y[1].toFixed(2)), xAxisIndex: 1, yAxisIndex: 1 },
    ],
  };
}

/** A class plan's cohort radar before and after (engine `plan`). */
export function planRadarOption(plan, { dark = false } = {}) {
  const c = palette(dark);
  return {
    animation: false,
    legend: { bottom: 0, textStyle: textStyle(c) },
    radar: { indicator: plan.dimensions.map((d) => ({ name: d, max: 100 })), radius: '60%', axisName: { fontSize: 11, ...textStyle(c) }, ...radarGrid(c) },
    series: [{ type: 'radar', data: [
      { name: '方案前', value: plan.before.map(r1), itemStyle: { color: c.before } },
      { name: '方案后（预测）', value: plan.after.map(r1), itemStyle: { color: c.after }, areaStyle: { opacity: 0.15 } },
    ] }],
  };
}

/**
 * One cell of an analysis result (engine `pivot` / `sql`) as the page shows
 * it: numbers with at most two decimals, booleans 是/否, null empty. The
 * browser tests format the CLI's JSON with this same function.
 */
export function formatCell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(+v.toFixed(2));
  return String(v);
}

/**
 * The fitting chart of an analysis result (engine `pivot` / `sql`), or null:
 * - one or more row keys, no column field → horizontal bars of the value;
 * - column field `year` → one line per row over the years;
 * - any other column field → heatmap of rows × column values;
 * - an SQL result of two columns, a label and a number → bars.
 * At most `maxRows` rows (the first, in the result's order) and `maxCols`
 * column values are drawn; `shown` says how many rows are. `height` is the
 * chart height the bars need (px).
 */
export function analysisChartOption(result, { dark = false, compact = false, maxRows = 40, maxCols = 30, maxSeries = 12 } = {}) {
  const c = palette(dark);
  const { columns, rows, pivot } = result;
  if (!rows.length || !columns.length) return null;
  const numeric = (i) => rows.every((r) => r[i] === null || typeof r[i] === 'number') && rows.some((r) => typeof r[i] === 'number');
  const keys = pivot ? pivot.row_keys : 1;
  const label = (r) => r.slice(0, keys).map((v) => formatCell(v) || '（空）').join(' / ');
  const num = (x) => (typeof x === 'number' ? r2(x) : null);
  const axisText = { ...textStyle(c), fontSize: compact ? 10 : 11 };
  if (!pivot || !pivot.col_field) {
    const vi = pivot ? columns.findIndex((_, i) => i >= keys && numeric(i)) : (columns.length === 2 && !numeric(0) && numeric(1) ? 1 : -1);
    if (vi < 0 || keys < 1) return null;
    const shown = rows.slice(0, maxRows);
    return {
      kind: 'bar',
      shown: shown.length,
      height: Math.max(200, 60 + shown.length * 22),
      option: {
        animation: false,
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
        xAxis: { type: 'value', axisLabel: axisText },
        yAxis: { type: 'category', inverse: true, data: shown.map(label), axisLabel: { ...axisText, interval: 0, width: compact ? 110 : 220, overflow: 'truncate' } },
        series: [{ type: 'bar', name: columns[vi].name, data: shown.map((r) => num(r[vi])), itemStyle: { color: c.bar }, label: { show: true, position: 'right', ...textStyle(c), fontSize: 10 } }],
      },
    };
  }
  const values = pivot.values.slice(0, maxCols);
  const at = (j) => keys + j; // the column of the j-th value of the column field
  if (pivot.col_field === 'year') {
    const shown = rows.slice(0, maxSeries);
    return {
      kind: 'line',
      shown: shown.length,
      height: compact ? 320 : 360,
      option: {
        animation: false,
        tooltip: { trigger: 'axis' },
        legend: { type: 'scroll', bottom: 0, textStyle: textStyle(c) },
        grid: { left: 8, right: 16, top: 16, bottom: 48, containLabel: true },
        xAxis: { type: 'category', data: values, axisLabel: axisText },
        yAxis: { type: 'value', axisLabel: axisText },
        series: shown.map((r) => ({ type: 'line', name: label(r), data: values.map((_, j) => num(r[at(j)])) })),
      },
    };
  }
  const shown = rows.slice(0, maxRows);
  const cells = shown.flatMap((r, y) => values.map((_, x) => [x, y, num(r[at(x)])])).filter((d) => d[2] !== null);
  const vs = cells.map((d) => d[2]);
  return {
    kind: 'heatmap',
    shown: shown.length,
    height: Math.max(240, 110 + shown.length * 22),
    option: {
      animation: false,
      tooltip: { position: 'top' },
      grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
      xAxis: { type: 'category', data: values, axisLabel: { ...axisText, rotate: values.some((v) => String(v).length > 4) ? 30 : 0, interval: 0 } },
      yAxis: { type: 'category', inverse: true, data: shown.map(label), axisLabel: { ...axisText, interval: 0, width: compact ? 100 : 200, overflow: 'truncate' } },
      visualMap: { min: vs.length ? Math.min(...vs) : 0, max: vs.length ? Math.max(...vs, Math.min(...vs) + 1e-9) : 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, textStyle: textStyle(c), inRange: { color: c.heat } },
      series: [{ type: 'heatmap', data: cells, label: { show: !compact && values.length <= 12, fontSize: 9 } }],
    },
  };
}
