import './base.css';
import './operations.css';
