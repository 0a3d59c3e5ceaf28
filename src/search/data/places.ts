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

/**
 * Postcode districts of the demo area with the rough centre of each (outward code, latitude, longitude),
 * so a responder can type "SE1" or "SE1 7PB" for "near". A deployment ships its own area's districts;
 * nothing is looked up outside the service.
 */
export const postcodeDistricts: readonly (readonly [string, number, number])[] = [
  ['CR0', 51.375, -0.09],
  ['E1', 51.517, -0.06],
  ['EC1', 51.524, -0.1],
  ['EC2', 51.518, -0.085],
  ['EC3', 51.512, -0.08],
  ['EC4', 51.514, -0.103],
  ['N1', 51.538, -0.099],
  ['N7', 51.553, -0.117],
  ['N19', 51.565, -0.132],
  ['NW1', 51.533, -0.146],
  ['SE1', 51.5005, -0.1035],
  ['SE5', 51.474, -0.092],
  ['SE10', 51.483, -0.005],
  ['SE11', 51.488, -0.11],
  ['SE13', 51.46, -0.01],
  ['SE15', 51.47, -0.065],
  ['SE17', 51.488, -0.094],
  ['SE28', 51.502, 0.115],
  ['SW1', 51.4975, -0.136],
  ['SW2', 51.451, -0.12],
  ['SW4', 51.462, -0.138],
  ['SW8', 51.476, -0.128],
  ['SW9', 51.47, -0.114],
  ['SW11', 51.466, -0.163],
  ['W1', 51.515, -0.145],
  ['W6', 51.493, -0.228],
  ['WC1', 51.522, -0.123],
  ['WC2', 51.512, -0.123],
];
