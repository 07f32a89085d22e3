/**
 * Scenario d needs the Clevertim API (`/clevertim/api/contact/:id`, Basic token). Whether it is mounted is
 * read at run time from the list of mounted APIs (src/apis/index.ts), so the bench runs d as soon as
 * the module is listed there and reports "not mounted yet" until then.
 */
export interface ClevertimStatus {
  mounted: boolean;
  detail: string;
}

export async function clevertimStatus(): Promise<ClevertimStatus> {
  let names: string[];
  try {
    const { apis } = await import('../src/apis/index.ts');
    names = apis.map((api) => api.name);
  } catch (error) {
    return { mounted: false, detail: `not run: src/apis/index.ts did not load (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!names.includes('clevertim')) return { mounted: false, detail: `not mounted yet (src/apis/index.ts mounts ${names.join(', ')})` };
  return { mounted: true, detail: 'mounted' };
}
