import { formText } from '../../../platform/console/pages/views.ts';

/**
 * The console's record forms, declared as fields. One declaration gives the form its inputs and turns
 * what was posted back into the record's input object; the record function then checks it, with the
 * same field-named messages the operator API answers.
 */

/** The company's records a select can offer (a job's property, a property's owner, ...). */
export type ChoiceKind = 'property' | 'contact' | 'job' | 'ticket';

export interface FieldSpec {
  /** The record input's field name, also the form field's. */
  name: string;
  label: string;
  type: 'text' | 'textarea' | 'email' | 'tel' | 'money' | 'datetime' | 'select';
  required?: boolean;
  /** A fixed vocabulary (contact types) or the company's records of one kind. */
  options?: readonly string[] | ChoiceKind;
  /** Only when creating (a job's ticket is where it came from; it does not change later). */
  createOnly?: boolean;
}

export type FormValues = Record<string, string>;

/** An <input type="datetime-local"> value (`2026-05-09T14:00`) is read as UTC, as the label says. */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

function fromDateTimeLocal(value: string): string {
  return LOCAL_DATE_TIME.test(value) ? `${value.length === 16 ? `${value}:00` : value}Z` : value;
}

export function toDateTimeLocal(iso: unknown): string {
  return typeof iso === 'string' && iso.length >= 16 ? iso.slice(0, 16) : '';
}

export function fieldsFor(specs: FieldSpec[], mode: 'create' | 'update'): FieldSpec[] {
  return mode === 'create' ? specs : specs.filter((spec) => !spec.createOnly);
}

/** What was typed, for showing the form again after a refusal. */
export function typedValues(specs: FieldSpec[], form: Record<string, unknown>): FormValues {
  return Object.fromEntries(specs.map((spec) => [spec.name, formText(form[spec.name])]));
}

/** A record's current values, for the edit form. */
export function recordValues(specs: FieldSpec[], record: Record<string, unknown>): FormValues {
  return Object.fromEntries(
    specs.map((spec) => {
      const value = record[spec.name];
      return [spec.name, spec.type === 'datetime' ? toDateTimeLocal(value) : typeof value === 'string' ? value : ''];
    }),
  );
}

/**
 * The record input a posted form stands for. Required fields go as typed, even blank, so the record's
 * check names them; a blank optional field is left out when creating and cleared (null) when editing.
 */
export function inputFromForm(specs: FieldSpec[], form: Record<string, unknown>, mode: 'create' | 'update'): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const spec of fieldsFor(specs, mode)) {
    const typed = formText(form[spec.name]);
    const value = spec.type === 'datetime' ? fromDateTimeLocal(typed.trim()) : typed;
    if (spec.required) input[spec.name] = value;
    else if (value.trim() !== '') input[spec.name] = value;
    else if (mode === 'update') input[spec.name] = null;
  }
  return input;
}
