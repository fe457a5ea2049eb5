/**
 * A select whose options are listed when the user opens it, not on every render: a long session has tens of
 * thousands of connections, and listing them on each of the panel's renders cost more than the rest of it.
 */
import { useState } from 'preact/hooks';

export interface Choice {
  value: string;
  label: string;
}

/** Most options listed; past it the list ends with a note (the text filter finds the rest). */
const MAX_CHOICES = 2000;

export function OnDemandSelect(props: {
  label: string;
  placeholder: string;
  value: string;
  choices: () => Choice[];
  onChange: (value: string) => void;
}) {
  const [listed, setListed] = useState<Choice[]>([]);
  const open = () => setListed(props.choices());
  const shown = listed.slice(0, MAX_CHOICES);
  // The chosen value stays listed even before the user opens the select again.
  if (props.value && !shown.some((c) => c.value === props.value)) shown.unshift({ value: props.value, label: props.value });
  return (
    <select
      aria-label={props.label}
      value={props.value}
      onFocus={open}
      onMouseDown={open}
      onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
    >
      <option value="">{props.placeholder}</option>
      {shown.map((choice) => (
        <option key={choice.value} value={choice.value}>
          {choice.label}
        </option>
      ))}
      {listed.length > MAX_CHOICES ? (
        <option value="" disabled>
          {`… ${(listed.length - MAX_CHOICES).toLocaleString()} more`}
        </option>
      ) : null}
    </select>
  );
}
