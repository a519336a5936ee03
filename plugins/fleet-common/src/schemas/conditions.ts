import { z } from 'zod';
import { timestamp } from './meta';

/** The three values of a condition's status. @public */
export const conditionStatuses = ['True', 'False', 'Unknown'] as const;

/** The value of a condition's status. @public */
export type ConditionStatus = (typeof conditionStatuses)[number];

/** metav1.Condition `reason`: CamelCase, as the API server validates it. @public */
export const conditionReasonPattern =
  /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** metav1.Condition `type`: an optional DNS prefix and a name. @public */
export const conditionTypePattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;

/** metav1.Condition, with the API server's limits. @public */
export const conditionSchema = z.object({
  type: z.string().max(316).regex(conditionTypePattern),
  status: z.enum(conditionStatuses),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: timestamp(),
  reason: z.string().max(1024).regex(conditionReasonPattern, {
    message: 'must be CamelCase (letters, digits, "_", ",", ":")',
  }),
  message: z.string().max(32768),
});

/** metav1.Condition. @public */
export type Condition = z.infer<typeof conditionSchema>;

/**
 * A list of conditions keyed by type, as the API server merges it under server-side apply.
 * @public
 */
export function conditionList() {
  return z.array(conditionSchema).meta({
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });
}
