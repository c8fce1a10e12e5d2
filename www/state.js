// The page's state, shared by the views: what is loaded and which cadre is shown.
export const state = { summary: null, cadre: null, asOf: null, profile: null, sim: null, archive: [], sort: { key: 'date', dir: -1 } };
