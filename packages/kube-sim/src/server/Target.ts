import type { ResourceStore } from '../store/ResourceStore';
import type { KubeObject } from '../types';
import { ResourceType, ResourceVersion, apiVersionOf } from './ResourceType';
import { badRequest } from './StatusError';

/** A request's resource resolved: its type, the version asked for, its store and namespace. */
export interface Target {
  type: ResourceType;
  version: ResourceVersion;
  store: ResourceStore;
  namespace?: string;
  gr: { group: string; resource: string };
}

/** The object as the requested version presents it (versions share storage, no conversion). */
export function presentAs(t: Target, object: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(t.type.group, t.version.name);
  return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
}

/** A resourceVersion parameter as a number; 400 when it is none. */
export function parseResourceVersion(text: string): number {
  const rv = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(rv)) {
    throw badRequest(`invalid resource version "${text}"`);
  }
  return rv;
}
