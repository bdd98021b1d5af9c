import './brand.css';
interface BrandProps {
  large?: boolean;
  /** Hidden from assistive technology where a heading beside it already names the screen. */
  decorative?: boolean;
}

/** The Strongroom mark and name. */
export function Brand({ large = false, decorative = false }: BrandProps) {
  return (
    <div className={large ? 'brand brand--large' : 'brand'} aria-hidden={decorative || undefined}>
      <span className="brand__mark" aria-hidden="true" />
      Strongroom
    </div>
  );
}
