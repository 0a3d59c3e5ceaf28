/**
 * The gazetteer: public places where crises recur (bridges, stations, parks; never homes), label,
 * latitude, longitude. This is the demo area's list (London); a deployment lists its own area's places
 * here. The synthetic data generator keeps its own copy (plans must not import search); a test checks
 * that every place it uses is here.
 */
export const gazetteer: readonly (readonly [string, number, number])[] = [
  ['Waterloo Bridge', 51.5087, -0.117],
  ['Westminster Bridge', 51.5008, -0.1219],
  ['London Bridge', 51.5079, -0.0877],
  ['Vauxhall Bridge', 51.4879, -0.127],
  ['Hungerford Bridge', 51.5065, -0.12],
  ['Archway Bridge', 51.5676, -0.1349],
  ['Tower Bridge', 51.5055, -0.0754],
  ['Chelsea Bridge', 51.4847, -0.1497],
  ['Hammersmith Bridge', 51.488, -0.23],
  ['Brixton station', 51.4627, -0.1145],
  ['Peckham Rye station', 51.47, -0.0693],
  ['East Croydon station', 51.3754, -0.0922],
  ['Clapham Common', 51.4618, -0.1384],
  ["King's Cross station", 51.5308, -0.1238],
  ['Camden Lock', 51.5413, -0.1466],
  ['Battersea Park', 51.4791, -0.1566],
  ['Lewisham station', 51.4657, -0.0141],
  ['Elephant and Castle', 51.4946, -0.1001],
  ['Greenwich foreshore', 51.4826, -0.0077],
  ['Thamesmead lakeside', 51.504, 0.118],
];
