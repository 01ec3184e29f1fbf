/** Docker's filters query parameter, decoded: `{"status":["running"]}`. */
export type Filters = Record<string, string[]>;
